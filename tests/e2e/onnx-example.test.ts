// The "done when" of the model import: in the browser, a user picks the ONNX-backed example
// from the examples menu of the real web host and watches it train (loss points appear).
// Needs the build (`npx electron-vite build`) and /usr/bin/chromium.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from './support/chromium';
import { builtCli, startWebHost, stopWebHost } from './support/web-host';

const root = resolve(__dirname, '..', '..');
const missing = [builtCli, join(root, 'out', 'renderer', 'index.html'), CHROMIUM].filter(
  (p) => !existsSync(p),
);

interface PageGlobals {
  __vivitDebug?: {
    charts(): Record<string, { series: { id: string; length: number }[] }>;
  };
}

describe('ONNX example in Chromium', () => {
  let server: Awaited<ReturnType<typeof startWebHost>> | undefined;
  let browser: Browser;
  let home: string;

  beforeAll(async () => {
    if (missing.length) {
      throw new Error(
        `missing ${missing.join(', ')}: build with \`npx electron-vite build\` and install Chromium`,
      );
    }
    home = mkdtempSync(join(tmpdir(), 'vivit-onnx-e2e-'));
    server = await startWebHost(home);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopWebHost(server?.child);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('opens mnist-onnx-cnn from the examples menu and trains it', async () => {
    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server!.url);

    await expect.poll(() => page.isEnabled('[data-testid=example-select]')).toBe(true);
    await page.selectOption('[data-testid=example-select]', { label: 'mnist-onnx-cnn' });
    await expect
      .poll(() => page.textContent('[data-testid=definition-name]'))
      .toContain('MNIST CNN from ONNX');
    await expect.poll(() => page.isEnabled('[data-testid=btn-start]')).toBe(true);

    await page.click('[data-testid=btn-start]');
    const lossPoints = () =>
      page.evaluate(() => {
        const charts = (globalThis as unknown as PageGlobals).__vivitDebug?.charts();
        return charts?.performance?.series.find((s) => s.id === 'trainLoss')?.length ?? 0;
      });
    await expect.poll(lossPoints, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(10);
    await page.click('[data-testid=btn-stop]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 30_000 })
      .toContain('Stopped');
    expect(errors).toEqual([]);
  });
});
