// The real web host (`node out/main/cli.js serve`), its real training worker and the built
// renderer in Debian's Chromium: train MNIST a little, pause, save the log, replay it, and check
// the page without a token. Needs the build (`npm test` builds first) and /usr/bin/chromium.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from './support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, stopWebHost } from './support/web-host';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'out', 'main', 'cli.js');
const results = join(root, 'test-results');

/** What `window.__vivitDebug.charts()` returns (src/renderer/src/debug.ts; no DOM types here). */
interface SeriesSummary {
  id: string;
  length: number;
  first?: [number, number];
  last?: [number, number];
}
interface ChartSummary {
  series: SeriesSummary[];
  flushes: number;
  pending: boolean;
}
interface PageGlobals {
  __vivitDebug?: { charts(): Record<string, ChartSummary> };
}

/** The training-loss series as the chart holds it. `settled`: only once no redraw is pending
 *  (redraws are paced, so until then the chart can lag behind the stores, or still show the
 *  last session); while a run streams records a redraw is pending most of the time. */
async function trainLoss(page: Page, settled = true): Promise<SeriesSummary | undefined> {
  return page.evaluate((settled) => {
    const performance = (globalThis as unknown as PageGlobals).__vivitDebug?.charts().performance;
    if (!performance || (settled && performance.pending)) return undefined;
    return performance.series.find((s) => s.id === 'trainLoss');
  }, settled);
}

async function stepCounter(page: Page): Promise<number> {
  const text = await page.textContent('[data-testid=step-counter]');
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

const missing = [cli, join(root, 'out', 'renderer', 'index.html'), CHROMIUM].filter(
  (p) => !existsSync(p),
);

describe('web host in Chromium', () => {
  let server: Awaited<ReturnType<typeof startWebHost>> | undefined;
  let browser: Browser;
  let home: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (missing.length) {
      throw new Error(
        `missing ${missing.join(', ')}: build with \`npx electron-vite build\` and install ` +
          `Chromium (\`apt-get install -y chromium\`)`,
      );
    }
    mkdirSync(results, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'vivit-browser-'));
    server = await startWebHost(home, join(root, 'resources', 'examples', 'mnist-mlp.yaml'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopWebHost(server?.child);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** A fresh page (own sessionStorage) that records script errors and CSP violations. */
  async function open(context: BrowserContext, url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await page.goto(url);
    return page;
  }

  it('trains, pauses, saves the log and replays the same curve', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1440, height: 900 },
    });
    const page = await open(context, server!.url);

    // The definition given to `serve` is loaded and can be started.
    await expect
      .poll(() => page.textContent('[data-testid=definition-name]'))
      .toContain('MNIST MLP');
    await expect.poll(() => page.isEnabled('[data-testid=btn-start]')).toBe(true);
    // The token left the address bar but stays usable for this tab.
    expect(page.url()).not.toContain('token=');

    await page.click('[data-testid=btn-start]');
    await expect
      .poll(async () => (await trainLoss(page, false))?.length ?? 0, {
        timeout: 120_000,
        interval: 250,
      })
      .toBeGreaterThanOrEqual(30);
    await page.screenshot({ path: join(results, 'browser-live.png') });

    await page.click('[data-testid=btn-pause]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 30_000 })
      .toContain('Paused');
    const stepAtPause = await stepCounter(page);
    await page.waitForTimeout(1000);
    expect(await stepCounter(page)).toBe(stepAtPause);
    expect(stepAtPause).toBeGreaterThanOrEqual(30);
    // Once the last records are drawn, the chart holds exactly the steps taken.
    await expect.poll(async () => (await trainLoss(page))?.last?.[0]).toBe(stepAtPause);
    const live = (await trainLoss(page))!;
    expect(live.length).toBe(stepAtPause);

    // Save: the browser downloads the host's log.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=save-log]'),
    ]);
    const logFile = join(results, 'browser-session.jsonl');
    await download.saveAs(logFile);
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      type: 'header',
      format: 'vivit-monitor-log',
      name: 'MNIST MLP',
    });
    const stepLines = lines.filter((l) => l.type === 'step');
    expect(stepLines.length).toBe(stepAtPause);
    expect([stepLines[0].step, stepLines[0].loss]).toEqual(live.first);
    expect([stepLines.at(-1).step, stepLines.at(-1).loss]).toEqual(live.last);

    // The host keeps one session, so opening a log waits until the run is stopped.
    expect(await page.isDisabled('[data-testid=open-log]')).toBe(true);
    await page.click('[data-testid=btn-stop]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 30_000 })
      .toContain('Stopped');
    expect(await page.isEnabled('[data-testid=open-log]')).toBe(true);

    // Open the saved log: a replay drives the very same chart.
    await page.setInputFiles('[data-testid=open-log-input]', logFile);
    await expect
      .poll(() => page.textContent('[data-testid=session-source]'), { timeout: 30_000 })
      .toContain('replay');
    // The replay clears the chart and refills it, so wait for the refilled series.
    await expect
      .poll(async () => {
        const series = await trainLoss(page);
        return series && [series.length, series.first, series.last];
      })
      .toEqual([live.length, live.first, live.last]);
    await page.mouse.move(900, 420); // show a tooltip in the screenshot
    await page.screenshot({ path: join(results, 'browser-replay.png') });

    expect(problems).toEqual([]);
    await context.close();
  });

  it('without a token, or with a wrong one, the page says so instead of staying blank', async () => {
    const context = await browser.newContext();
    const base = server!.url.replace(/\?token=.*$/, '');

    const noToken = await open(context, base);
    await expect
      .poll(() => noToken.textContent('[data-testid=auth-error]'))
      .toContain('Missing or wrong token');
    expect(await noToken.textContent('[data-testid=auth-error]')).toContain(
      'without the access token',
    );
    await noToken.screenshot({ path: join(results, 'browser-no-token.png') });

    const context2 = await browser.newContext();
    const wrong = await open(context2, `${base}?token=not-the-token`);
    await expect
      .poll(() => wrong.textContent('[data-testid=auth-error]'), { timeout: 20_000 })
      .toContain('did not accept');
    expect(problems).toEqual([]);
    await context.close();
    await context2.close();
  });
});
