// Renderer frame times with a long history: 10,000 steps replayed in Chromium via the web host.
//
//   npm run bench -- renderer-frames [--steps 10000] [--k 30] [--seconds 5] [--screenshot f.png]
//
// Writes a synthetic session log with the real codec (src/protocol/log-codec.ts): a step record
// per step, a curvature record every 10 steps (K directions), an eval record every 100 steps.
// Starts the real web host (`node out/main/cli.js serve --port 0`; build first with
// `npx electron-vite build`), opens it in Debian's Chromium (playwright-core), opens the log
// through the file input, and reports the time from upload until every panel has drawn its
// data. Then measures requestAnimationFrame intervals over --seconds while (a) idle and
// (b) moving the mouse over the loss chart (tooltip, axis pointer) and zooming it with wheel
// events. Frame intervals under 16.7 ms are vsync-bound; the budget in issue 5 is 50 ms.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { syntheticLog } from '../tests/e2e/support/synthetic-log';
import { startWebHost, stopWebHost } from '../tests/e2e/support/web-host';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 10_000);
const K = arg('k', 30);
const SECONDS = arg('seconds', 5);

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const cli = join(root, 'out', 'main', 'cli.js');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Charts that the log fills (no damping or inspect records in it). */
const CHARTS = [
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

// ---- Host, browser, measurements ---------------------------------------------------------

interface DebugWindow {
  __vivitDebug?: {
    charts(): Record<string, { series: { id: string; length: number }[] }>;
  };
}

/** The browser globals used in page.evaluate (this file compiles without the DOM lib). */
interface BrowserGlobals {
  requestAnimationFrame(callback: (now: number) => void): number;
  document: {
    elementFromPoint(x: number, y: number): { dispatchEvent(event: unknown): boolean } | null;
  };
  WheelEvent: new (type: string, init: Record<string, unknown>) => unknown;
}

/** requestAnimationFrame intervals (ms) over `ms` milliseconds. */
function recordFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (duration) =>
      new Promise<number[]>((done) => {
        const { requestAnimationFrame } = globalThis as unknown as BrowserGlobals;
        const deltas: number[] = [];
        let last = -1;
        let start = -1;
        const tick = (now: number): void => {
          if (start < 0) start = now;
          if (last >= 0) deltas.push(now - last);
          last = now;
          if (now - start < duration) requestAnimationFrame(tick);
          else done(deltas);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** Hovers across the loss chart and zooms it with wheel events until `until` settles. */
async function interact(page: Page, until: Promise<unknown>): Promise<number> {
  let finished = false;
  void until.then(() => (finished = true));
  const box = await page.locator('[data-testid=performance-panel] canvas').first().boundingBox();
  if (!box) throw new Error('the loss chart is not on the page');
  const y = box.y + box.height * 0.3;
  let events = 0;
  for (let i = 0; !finished; i++) {
    const x = box.x + box.width * (0.15 + 0.7 * ((i % 40) / 40));
    await page.mouse.move(x, y);
    // The chart zooms on shift+wheel (plain wheel scrolls the page); dispatched in the page so
    // the modifier reaches ECharts exactly as a user's would.
    await page.evaluate(
      ([px, py, dy]) => {
        const { document, WheelEvent } = globalThis as unknown as BrowserGlobals;
        const target = document.elementFromPoint(px, py);
        target?.dispatchEvent(
          new WheelEvent('wheel', {
            deltaY: dy,
            shiftKey: true,
            clientX: px,
            clientY: py,
            bubbles: true,
            cancelable: true,
          }),
        );
      },
      [x, y, i % 20 < 10 ? -120 : 120] as const,
    );
    events += 2;
  }
  return events;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function row(label: string, deltas: number[]): string[] {
  const sorted = [...deltas].sort((a, b) => a - b);
  const slow = deltas.filter((d) => d > 50).length;
  return [
    label,
    String(deltas.length),
    quantile(sorted, 0.5).toFixed(1),
    quantile(sorted, 0.95).toFixed(1),
    (sorted.at(-1) ?? NaN).toFixed(1),
    `${((100 * slow) / Math.max(1, deltas.length)).toFixed(1)} %`,
  ];
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  for (const path of [cli, join(root, 'out', 'renderer', 'index.html'), CHROMIUM]) {
    if (!existsSync(path)) {
      throw new Error(`missing ${path}: run \`npx electron-vite build\` and install Chromium`);
    }
  }
  const home = mkdtempSync(join(tmpdir(), 'vivit-bench-frames-'));
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  try {
    const logFile = join(home, 'bench-session.jsonl');
    const text = syntheticLog({
      name: 'Frame-time bench',
      steps: STEPS,
      k: K,
      seed: 11,
      horizon: 500,
      evalEvery: 100,
      damping: false,
      inspect: false,
    });
    writeFileSync(logFile, text);
    console.log(
      `log: ${STEPS} steps, curvature every 10 steps (K = ${K}), eval every 100 steps; ` +
        `${(text.length / 2 ** 20).toFixed(1)} MiB`,
    );

    server = await startWebHost(home);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1800, height: 1100 } });
    // tsx (esbuild keepNames) wraps named functions in `__name(...)`; functions that
    // page.evaluate sends to the page need that helper there too.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=open-log-input]', { state: 'attached' });

    const started = performance.now();
    await page.setInputFiles('[data-testid=open-log-input]', logFile);
    const curvatureSteps = Math.ceil(STEPS / 10);
    await page.waitForFunction(
      ([names, steps, curv]) => {
        const charts = (globalThis as unknown as DebugWindow).__vivitDebug?.charts() ?? {};
        const points = (n: string, id?: string): number =>
          charts[n]?.series
            .filter((s) => id === undefined || s.id === id)
            .reduce((sum, s) => sum + s.length, 0) ?? 0;
        return (
          names.every((n) => points(n) > 0) &&
          points('performance', 'trainLoss') === steps &&
          points('spectrum-count') === curv
        );
      },
      [CHARTS, STEPS, curvatureSteps] as const,
      { polling: 'raf', timeout: 120_000 },
    );
    const loadMs = performance.now() - started;

    await page.waitForTimeout(1000); // let the last redraws and layout settle
    const idle = await recordFrames(page, SECONDS * 1000);
    const frames = recordFrames(page, SECONDS * 1000);
    const events = await interact(page, frames);
    const busy = await frames;
    const shot = argv[argv.indexOf('--screenshot') + 1];
    if (argv.includes('--screenshot') && shot) await page.screenshot({ path: shot });

    console.log(`upload → all ${CHARTS.length} panels drawn: ${loadMs.toFixed(0)} ms`);
    console.log(`frame intervals over ${SECONDS} s (requestAnimationFrame deltas, ms):\n`);
    printTable([
      ['phase', 'frames', 'median', 'p95', 'max', '> 50 ms'],
      row('idle after load', idle),
      row(`hover + shift-wheel zoom on the loss chart (${events} events)`, busy),
    ]);
  } finally {
    await browser?.close();
    await stopWebHost(server?.child);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
