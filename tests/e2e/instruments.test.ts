// Cockpit's instruments in Debian's Chromium against the real web host (`cli serve`): the
// bundled MNIST example (it has an `instruments` section) runs until every instrument panel
// holds data — gradient noise, step quality, the curvature scalars, the histograms — then its
// saved log (Save log → download), reopened through the host's open-log path, shows the same
// series in every instrument chart. Also: a group collapses and moves, and keeps that across a
// reload. What the real ECharts instances hold is read via `window.__vivitDebug`.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartPoints, seriesSummaries, type SeriesSummary } from './support/chart-debug';
import { CHROMIUM, launchChromium } from './support/chromium';
import { startWebHost, stopWebHost, writeLongMnistExample } from './support/web-host';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'out', 'main', 'cli.js');
const results = join(root, 'test-results');

/** Every instrument chart, by its debug-hook name. */
const INSTRUMENT_CHARTS = [
  'sample-grad-norms',
  'gsnr',
  'batch-size-tests',
  'batch-size-tests-2d',
  'alpha',
  'alpha-histogram',
  'distance',
  'cabs',
  'ggn-trace',
  'max-eigenvalue',
  'tic',
  'gradient-histogram',
  'layer-histogram',
];
const PANELS = [
  'panel-grad-norm-histogram',
  'panel-gsnr',
  'panel-batch-size-tests',
  'panel-alpha',
  'panel-distance',
  'panel-cabs',
  'panel-ggn-trace',
  'panel-max-eigenvalue',
  'panel-tic',
  'panel-gradient-histogram',
  'panel-layer-histogram',
];

const missing = [cli, join(root, 'out', 'renderer', 'index.html'), CHROMIUM].filter(
  (p) => !existsSync(p),
);

describe('Cockpit instruments in Chromium (the MNIST example, live and reopened)', () => {
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser;
  let home: string;

  beforeAll(async () => {
    if (missing.length) {
      throw new Error(
        `missing ${missing.join(', ')}: run \`npx electron-vite build\` and install Chromium`,
      );
    }
    mkdirSync(results, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'vivit-instruments-'));
    const longRun = writeLongMnistExample(home, (text) =>
      /^instruments:/m.test(text) ? undefined : 'no instruments section',
    );
    server = await startWebHost(home, longRun);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopWebHost(server?.child);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('every instrument panel fills live, and the saved log reopens into the same charts', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1800, height: 1100 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(server!.url);
    await expect.poll(() => page.isEnabled('[data-testid=btn-start]')).toBe(true);
    await page.click('[data-testid=btn-start]');

    // Noise and histograms come at step 0, step quality with update 50, then every 50.
    await expect
      .poll(
        async () => {
          const points = await chartPoints(page);
          return INSTRUMENT_CHARTS.filter((name) => !(points[name] > 0));
        },
        { timeout: 240_000, interval: 500 },
      )
      .toEqual([]);
    await expect
      .poll(async () => (await chartPoints(page))['alpha'], { timeout: 120_000 })
      .toBeGreaterThanOrEqual(2);
    for (const panel of PANELS) {
      expect(await page.getAttribute(`[data-testid=${panel}]`, 'data-has-data'), panel).toBe(
        'true',
      );
    }
    await page.click('[data-testid=btn-pause]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 60_000 })
      .toContain('Paused');
    await page.screenshot({ path: join(results, 'instruments-live.png'), fullPage: true });

    let live: Record<string, SeriesSummary[]> | null = null;
    await expect
      .poll(async () => (live = await seriesSummaries(page, INSTRUMENT_CHARTS)))
      .not.toBeNull();
    expect(Object.keys(live!).sort()).toEqual([...INSTRUMENT_CHARTS].sort());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=save-log]'),
    ]);
    const savedLog = join(home, 'instruments-session.jsonl');
    await download.saveAs(savedLog);
    const text = readFileSync(savedLog, 'utf8');
    for (const type of ['noise', 'step_quality', 'histogram']) {
      expect(text).toContain(`"type":"${type}"`);
    }

    await page.click('[data-testid=btn-stop]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 60_000 })
      .toContain('Stopped');
    await page.setInputFiles('[data-testid=open-log-input]', savedLog);
    await expect
      .poll(() => page.textContent('[data-testid=session-source]'), { timeout: 30_000 })
      .toContain('replay');
    await expect
      .poll(() => seriesSummaries(page, INSTRUMENT_CHARTS), { timeout: 30_000, interval: 250 })
      .toEqual(live);
    await page.screenshot({ path: join(results, 'instruments-reopened.png'), fullPage: true });

    // The layout: collapse the noise group and move the step group up; a reload keeps both.
    await page.click('[data-testid=group-noise-toggle]');
    // The group sections carry data-collapsed; their test ids in page order.
    const order = () =>
      page.$$eval('[data-collapsed]', (els) => els.map((e) => e.getAttribute('data-testid')));
    const before = await order();
    const stepIndex = before.indexOf('group-step');
    expect(stepIndex).toBeGreaterThan(0);
    await page.click('[data-testid=group-step-up]');
    const moved = [...before];
    [moved[stepIndex - 1], moved[stepIndex]] = [moved[stepIndex], moved[stepIndex - 1]];
    await expect.poll(order).toEqual(moved);
    await page.reload();
    await expect.poll(order).toEqual(moved);
    expect(await page.getAttribute('[data-testid=group-noise]', 'data-collapsed')).toBe('true');
    expect(await page.$('[data-testid=panel-gsnr]')).toBeNull();

    expect(problems).toEqual([]);
    await context.close();
  });
});
