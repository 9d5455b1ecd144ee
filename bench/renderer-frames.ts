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
import { encodeRecord } from '../src/protocol/log-codec';
import type { BodyRecord, CurvatureRecord, HeaderRecord } from '../src/protocol/records';
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

// ---- The synthetic log -------------------------------------------------------------------

/** Deterministic pseudo-random numbers, so every run replays the same log. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (1664525 * s + 1013904223) >>> 0) / 2 ** 32;
}

function header(): HeaderRecord {
  return {
    type: 'header',
    format: 'vivit-monitor-log',
    version: 1,
    name: 'Frame-time bench',
    definition: {
      name: 'Frame-time bench',
      seed: 0,
      data: { source: 'mnist', normalize: 'standard' },
      model: [
        { type: 'flatten' },
        { type: 'linear', in: 784, out: 64, bias: true },
        { type: 'relu' },
        { type: 'linear', in: 64, out: 10, bias: true },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0, nesterov: false },
      batch_size: 128,
      steps: STEPS,
      eval: { every: 100 },
    },
    backend: { chosen: 'wasm', skipped: [] },
    versions: { app: 'bench' },
    startTime: '2026-01-01T00:00:00.000Z',
    parameterCount: 50890,
    trainSamples: 60000,
    testSamples: 10000,
  };
}

function curvature(step: number, rand: () => number): CurvatureRecord {
  const eigenvalues = Array.from(
    { length: K },
    (_, k) => 20 * 10 ** (-4 * (k / K)) * (1 + 0.2 * rand()),
  ).sort((a, b) => b - a);
  const gammaMean = eigenvalues.map((l) => (rand() - 0.5) * Math.sqrt(l));
  const g2 = gammaMean.reduce((s, g) => s + g * g, 0) / 0.7;
  return {
    type: 'curvature',
    step,
    batch: 'fixed',
    samples: 128,
    gradSamples: 128,
    mcSamples: 0,
    loss: 2.3 / (1 + step / 500),
    gradNorm: Math.sqrt(g2),
    layerNames: ['model[1] linear', 'model[3] linear'],
    groups: [
      {
        name: 'all',
        params: [0, 1, 2, 3],
        eigenvalues,
        gammaMean,
        lambdaMean: eigenvalues.map((l) => l * (0.8 + 0.4 * rand())),
        snrGamma: eigenvalues.map((l) => 0.05 * l * (0.5 + rand())),
        snrLambda: eigenvalues.map((l) => 2 * Math.sqrt(l) * (0.5 + rand())),
        overlap: gammaMean.map((g) => (g * g) / g2),
        flatRemainder: 0.3,
        layerShares: [[0.9, 0.1]],
      },
    ],
    timings: { sweep: 40, eigen: 12 },
  };
}

function syntheticLog(): string {
  const rand = lcg(11);
  const records: BodyRecord[] = [];
  for (let s = 1; s <= STEPS; s++) {
    if ((s - 1) % 10 === 0) records.push(curvature(s - 1, rand));
    records.push({
      type: 'step',
      step: s,
      epoch: Math.floor(s / 469),
      loss: 2.3 / (1 + s / 500) + 0.05 * rand(),
      accuracy: Math.min(0.97, 0.1 + s / 3000),
      time: s * 0.05,
      stepMs: 50,
      samplesPerSec: 2560,
    });
    if (s % 100 === 0) {
      records.push({
        type: 'eval',
        step: s,
        loss: 2.3 / (1 + s / 500),
        accuracy: 0.9,
        samples: 10000,
      });
    }
  }
  return [header(), ...records].map((r) => encodeRecord(r)).join('');
}

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
    const text = syntheticLog();
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
