// The built desktop app in Electron, driven by Playwright's _electron API. Runs where the
// Electron binary (downloaded lazily by the electron package) and a display exist; elsewhere it
// is reported as skipped, with the reason, rather than passing silently.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../scripts/electron-binary.js';
import type { HostEvent, VivitBridge } from '../../src/protocol/host';

const root = resolve(__dirname, '..', '..');
const binary = findElectronBinary();
const noDisplay =
  process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !binary.path
  ? `skipped: no Electron binary (${binary.reason})`
  : noDisplay
    ? 'skipped: no display for Electron (DISPLAY is not set)'
    : undefined;
if (skipReason) console.log(`tests/e2e/electron.test.ts: ${skipReason}`);

/** The page's globals this test touches (tsconfig.node has no DOM types). */
interface PageGlobals {
  vivit: VivitBridge;
  open(url: string): unknown;
  location: { href: string };
  require?: unknown;
  process?: unknown;
}

/**
 * Waits in the page for the first host event of a kind (for 'records': one holding a step
 * record), after optionally sending a request.
 */
function nextEvent(page: Page, kind: HostEvent['kind'], send?: unknown): Promise<HostEvent> {
  return page.evaluate(
    ([kind, send]) =>
      new Promise<HostEvent>((done) => {
        const bridge = (globalThis as unknown as PageGlobals).vivit;
        const off = bridge.onEvent((event) => {
          if (event.kind !== kind) return;
          if (event.kind === 'records' && !event.records.some((r) => r.type === 'step')) return;
          off();
          done(event);
        });
        if (send) bridge.send(send as Parameters<VivitBridge['send']>[0]);
      }),
    [kind, send] as const,
  );
}

describe.skipIf(skipReason !== undefined)(
  `Electron app${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    let app: ElectronApplication;
    let page: Page;
    let home: string;

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'vivit-electron-'));
      const args = [root];
      // Chromium refuses to start as root without this (containers, CI).
      if (process.getuid?.() === 0) args.unshift('--no-sandbox');
      app = await electron.launch({
        executablePath: binary.path!,
        args,
        env: { ...process.env, VIVIT_MONITOR_HOME: home } as Record<string, string>,
      });
      page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
    });
    afterAll(async () => {
      await app?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('exposes only the typed bridge to the page', async () => {
      expect(
        await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).vivit).sort()),
      ).toEqual(['onEvent', 'send']);
      expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).require)).toBe(
        'undefined',
      );
      expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).process)).toBe(
        'undefined',
      );
      expect(page.url()).toBe('app://renderer/index.html');
    });

    it('blocks navigation and new windows', async () => {
      expect(
        await page.evaluate(() =>
          (globalThis as unknown as PageGlobals).open('https://example.com'),
        ),
      ).toBeNull();
      await page.evaluate(() => {
        (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
      });
      await page.waitForTimeout(500);
      expect(page.url()).toBe('app://renderer/index.html');
      expect(app.windows()).toHaveLength(1);
    });

    it('opens with the bundled MNIST MLP loaded, ready to start', async () => {
      const snapshot = await nextEvent(page, 'snapshot', { kind: 'hello' });
      expect(snapshot).toMatchObject({
        kind: 'snapshot',
        state: 'idle',
        definition: { issues: [] },
      });
      expect(snapshot.kind === 'snapshot' && snapshot.definition?.path).toMatch(/mnist-mlp\.yaml$/);
    });

    it('validates IPC requests in main', async () => {
      const notice = await nextEvent(page, 'notice', { kind: 'command', command: 'rm -rf' });
      expect(notice).toMatchObject({ level: 'error' });
      expect(notice.kind === 'notice' && notice.message).toMatch(
        /^The host refused a request: command must be one of/,
      );
    });

    it('takes a training step through the worker and logs it', async () => {
      const records = await nextEvent(page, 'records', { kind: 'command', command: 'step' });
      expect(
        records.kind === 'records' &&
          records.records.some((r) => r.type === 'step' && r.step === 1),
      ).toBe(true);
      await nextEvent(page, 'state', { kind: 'command', command: 'stop' });
    });
  },
);
