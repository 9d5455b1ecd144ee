// The curvature dashboards in Debian's Chromium against the real web host (`cli serve`):
// 1. live: start the bundled MNIST example (it has a `curvature` section), wait for the first
//    curvature step, check every curvature panel holds data, pause, pick a direction in the
//    table, and check the inspector fills from the worker's answer; then save the log (Save log
//    → download), stop, open the saved file, and check the curvature panels and the loss chart
//    hold the same series (lengths, first and last points) as they did live;
// 2. replay: a session log written in the test from synthetic curvature, damping and inspect
//    records with the real log codec (src/protocol/log-codec.ts), opened through the host's
//    real open-log path (file input → WebSocket → host parses and replays) — this covers the
//    damping panel (the example's optimizer is SGD) and PNG/SVG export.
// What the real ECharts instances hold is read via `window.__vivitDebug`.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from './support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chartPoints,
  seriesSummaries,
  type SeriesSummary,
  type PageGlobals,
} from './support/chart-debug';
import { syntheticLog } from './support/synthetic-log';
import { startWebHost, stopWebHost, writeLongMnistExample } from './support/web-host';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'out', 'main', 'cli.js');
const results = join(root, 'test-results');

/** Every chart of the curvature-era panels, by its debug-hook name. */
const CURVATURE_CHARTS = [
  'spectrum-histogram',
  'spectrum-topk',
  'spectrum-count',
  'overlap-histogram',
  'overlap-remainder',
  'noise-snr',
  'noise-snr-pair',
  'noise-gamma-lambda',
  'damping-scatter',
  'damping-relative',
  'damping-loss-change',
  'gradient-norm',
  'inspect-slice',
  'inspect-gamma',
  'inspect-lambda',
  'inspect-layers',
];

/** Charts compared between the live session and its saved log reopened. */
const REOPENED_CHARTS = [
  'performance',
  'spectrum-histogram',
  'spectrum-topk',
  'spectrum-count',
  'overlap-histogram',
  'overlap-remainder',
  'noise-snr',
  'noise-snr-pair',
  'noise-gamma-lambda',
  'gradient-norm',
];

// ---- A synthetic session log -------------------------------------------------------------

/** Steps in the synthetic log; VIVIT_DASHBOARD_STEPS=10000 checks a long history by hand. */
const STEPS = Number(process.env.VIVIT_DASHBOARD_STEPS ?? 300);

// ---- Host and browser --------------------------------------------------------------------

const missing = [cli, join(root, 'out', 'renderer', 'index.html'), CHROMIUM].filter(
  (p) => !existsSync(p),
);

describe('curvature dashboards in Chromium (replayed synthetic log)', () => {
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
    home = mkdtempSync(join(tmpdir(), 'vivit-dashboards-'));
    const longRun = writeLongMnistExample(home);
    server = await startWebHost(home, longRun);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopWebHost(server?.child);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('live: every curvature panel fills, a paused direction opens in the inspector, and the saved log reopens into the same panels', async () => {
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

    // The first curvature step is step 0; wait until a few have arrived and been drawn.
    const live = CURVATURE_CHARTS.filter(
      (c) => !c.startsWith('damping') && !c.startsWith('inspect'),
    );
    await expect
      .poll(
        async () => {
          const points = await chartPoints(page);
          return live.filter((name) => !(points[name] > 0));
        },
        { timeout: 180_000, interval: 500 },
      )
      .toEqual([]);
    await expect
      .poll(async () => (await chartPoints(page))['spectrum-count'], { timeout: 180_000 })
      .toBeGreaterThanOrEqual(2);
    await page.click('[data-testid=btn-pause]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 60_000 })
      .toContain('Paused');

    // Pick the second-largest direction in the table; the worker answers with an inspect record.
    await page.locator('[data-testid=direction-table] tbody tr').nth(1).click();
    await expect
      .poll(() => page.textContent('[data-testid=inspector-panel]'), { timeout: 120_000 })
      .toContain('direction k = 1');
    await expect
      .poll(
        async () => {
          const points = await chartPoints(page);
          return ['inspect-slice', 'inspect-gamma', 'inspect-lambda', 'inspect-layers'].filter(
            (name) => !(points[name] > 0),
          );
        },
        { timeout: 30_000 },
      )
      .toEqual([]);
    // MNIST is image data: the samples that dominate the direction show their digits, drawn
    // (not blank: a digit has dark background and bright strokes).
    // (No DOM types in this tsconfig: the page's canvases are described by the little we use.)
    interface CanvasLike {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    }
    interface DocumentLike {
      querySelectorAll(selector: string): ArrayLike<CanvasLike>;
    }
    const pictures = await page.evaluate(() =>
      Array.from(
        (globalThis as unknown as { document: DocumentLike }).document.querySelectorAll(
          '[data-testid=dominant-samples] canvas',
        ),
      ).map((canvas) => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let bright = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 128) bright += 1;
        return { size: [canvas.width, canvas.height], bright };
      }),
    );
    expect(pictures.length).toBeGreaterThanOrEqual(1);
    for (const picture of pictures) {
      expect(picture.size).toEqual([28, 28]);
      expect(picture.bright).toBeGreaterThan(20);
      expect(picture.bright).toBeLessThan(600);
    }
    await page.screenshot({ path: join(results, 'dashboards-live.png'), fullPage: true });

    // Save the paused session's log (Save log → download), stop, and reopen the saved file:
    // the curvature panels and the loss chart must show the same series as they did live.
    let liveSeries: Record<string, SeriesSummary[]> | null = null;
    await expect
      .poll(async () => (liveSeries = await seriesSummaries(page, REOPENED_CHARTS)))
      .not.toBeNull();
    expect(Object.keys(liveSeries!).sort()).toEqual([...REOPENED_CHARTS].sort());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=save-log]'),
    ]);
    const savedLog = join(home, 'live-session.jsonl');
    await download.saveAs(savedLog);
    expect(readFileSync(savedLog, 'utf8')).toContain('"type":"curvature"');

    await page.click('[data-testid=btn-stop]');
    await expect
      .poll(() => page.textContent('[data-testid=run-state]'), { timeout: 60_000 })
      .toContain('Stopped');

    await page.setInputFiles('[data-testid=open-log-input]', savedLog);
    await expect
      .poll(() => page.textContent('[data-testid=session-source]'), { timeout: 30_000 })
      .toContain('replay');
    await expect
      .poll(() => seriesSummaries(page, REOPENED_CHARTS), { timeout: 30_000, interval: 250 })
      .toEqual(liveSeries);
    await page.screenshot({ path: join(results, 'dashboards-reopened.png'), fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  });

  it('replay: every curvature panel shows data from the log, and panels export as PNG and SVG', async () => {
    const logFile = join(home, 'synthetic-curvature.jsonl');
    writeFileSync(
      logFile,
      syntheticLog({
        name: 'Synthetic curvature',
        steps: STEPS,
        k: 60,
        seed: 7,
        horizon: 50,
        evalEvery: 0,
        damping: true,
        inspect: true,
      }),
    );
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1800, height: 1100 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(server!.url);

    await page.setInputFiles('[data-testid=open-log-input]', logFile);
    await expect
      .poll(() => page.textContent('[data-testid=session-source]'), { timeout: 30_000 })
      .toContain('replay');
    await expect
      .poll(
        async () => {
          const points = await chartPoints(page);
          return CURVATURE_CHARTS.filter((name) => !(points[name] > 0));
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual([]);

    const points = await chartPoints(page);
    expect(points['spectrum-histogram']).toBe(40); // bins of the latest step
    expect(points['overlap-histogram']).toBe(50); // flat remainder + 49 bins
    expect(points['spectrum-count']).toBe(STEPS / 10); // one K per curvature step
    expect(points['damping-loss-change']).toBe(2 * STEPS);
    expect(await page.textContent('[data-testid=inspection-title]')).toContain('k = 2');
    expect(await page.$$eval('[data-testid=direction-table] tbody tr', (r) => r.length)).toBe(12);

    await page.screenshot({ path: join(results, 'dashboards-replay.png'), fullPage: true });
    // Cost of the last redraw per chart, for the record (speed is benchmarked, not asserted).
    const flushMs = await page.evaluate(() =>
      Object.entries((globalThis as unknown as PageGlobals).__vivitDebug?.charts() ?? {}).map(
        ([name, c]) => `${name} ${c.lastFlushMs.toFixed(1)} ms`,
      ),
    );
    console.log(`redraw cost with ${STEPS} steps: ${flushMs.join(', ')}`);

    // Export: PNG from the canvas chart, SVG from the SVG renderer.
    const box = page.locator('[data-testid=chart-spectrum-histogram]');
    const [png] = await Promise.all([page.waitForEvent('download'), box.getByText('PNG').click()]);
    const pngFile = join(results, 'dashboards-spectrum.png');
    await png.saveAs(pngFile);
    expect(readFileSync(pngFile).subarray(1, 4).toString()).toBe('PNG');
    const [svg] = await Promise.all([page.waitForEvent('download'), box.getByText('SVG').click()]);
    const svgFile = join(results, 'dashboards-spectrum.svg');
    await svg.saveAs(svgFile);
    const svgText = readFileSync(svgFile, 'utf8');
    expect(svgText).toMatch(/^<svg/);
    expect((svgText.match(/<path/g) ?? []).length).toBeGreaterThan(20); // bars, axes

    // Compare: open the same log as a comparison; its loss and gradient norm are overlaid.
    await page.setInputFiles('[data-testid=compare-log-input]', logFile);
    await expect
      .poll(() => page.textContent('[data-testid=comparison-name]'))
      .toContain('Synthetic curvature');
    const seriesLength = (chart: string, id: string) =>
      page.evaluate(
        ([c, i]) =>
          (globalThis as unknown as PageGlobals).__vivitDebug
            ?.charts()
            [c]?.series.find((s) => s.id === i)?.length,
        [chart, id],
      );
    await expect.poll(() => seriesLength('performance', 'comparisonLoss')).toBe(STEPS);
    await expect.poll(() => seriesLength('gradient-norm', 'comparisonGradNorm')).toBe(STEPS / 10);
    await page.screenshot({ path: join(results, 'dashboards-compare.png') });

    expect(problems).toEqual([]);
    await context.close();
  });
});
