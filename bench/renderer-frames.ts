// Renderer frame times with a long history: 10,000 steps replayed in Chromium via the web host.
//
//   npm run bench -- renderer-frames [--steps 10000] [--k 30] [--seconds 5] [--rate 20]
//                                    [--screenshot f.png] [--profile PHASE] [--trace PHASE]
//
// Writes a synthetic session log with the real codec (src/protocol/log-codec.ts): a step record
// per step, a curvature record every 10 steps (K directions), an eval record every 100 steps.
// Starts the real web host (`node out/main/cli.js serve --port 0`; build first with
// `npx electron-vite build`), opens it in Debian's Chromium (playwright-core), opens the log
// through the file input, and reports the time from upload until every panel has drawn its
// data. Then measures requestAnimationFrame intervals over --seconds while (a) idle,
// (b) moving the mouse over the loss chart (tooltip, axis pointer), then also zooming it with
// wheel events, (c) the run going on live: --rate steps per second (curvature every 10 steps,
// eval every 100) pushed into the page's WebSocket as `records` events every 50 ms, as the host
// batches them, and (d) live appends while hovering and zooming. Frame intervals under 16.7 ms
// are vsync-bound; the budget in issue 5 is 50 ms. Per phase it also counts chart redraws (the
// debug hook) and the main thread's busy share (CDP Performance metrics, TaskDuration).
// Builds the app first when out/ is missing. Diagnostics for one phase (hover, zoom, live,
// live-zoom): --profile PHASE prints the functions with the most CPU time (CDP Profiler),
// --trace PHASE the main-thread trace events with the most time and the cost of wheel events
// and frames.

import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type CDPSession, type Page, type WebSocketRoute } from 'playwright-core';
import { parseLog } from '../src/protocol/log-codec';
import { encodeHostEvent } from '../src/protocol/wire-codec';
import {
  syntheticContinuation,
  syntheticLog,
  type SyntheticLogOptions,
} from '../tests/e2e/support/synthetic-log';
import { CHROMIUM, launchChromium } from '../tests/e2e/support/chromium';
import { startWebHost, stopWebHost } from '../tests/e2e/support/web-host';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 10_000);
const K = arg('k', 30);
const SECONDS = arg('seconds', 5);
/** Steps per second appended during the live phases. */
const RATE = arg('rate', 20);
/** The phase that --profile / --trace look at, if any. */
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const PROFILE = option('profile');
const TRACE = option('trace');

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const cli = join(root, 'out', 'main', 'cli.js');
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
    charts(): Record<
      string,
      { series: { id: string; length: number }[]; flushes: number; pending: boolean }
    >;
  };
}

/** Chart redraws so far (all charts, from the debug hook). */
function redraws(page: Page): Promise<number> {
  return page.evaluate(() =>
    Object.values((globalThis as unknown as DebugWindow).__vivitDebug?.charts() ?? {}).reduce(
      (sum, c) => sum + c.flushes,
      0,
    ),
  );
}

/** Per phase: frame intervals, chart redraws and the main thread's busy share (CDP metrics). */
interface PhaseResult {
  deltas: number[];
  redraws: number;
  busy: number;
}

async function measured(
  page: Page,
  cdp: CDPSession,
  run: () => Promise<number[]>,
): Promise<PhaseResult> {
  const taskSeconds = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
  };
  const [drawn, tasks, started] = [await redraws(page), await taskSeconds(), performance.now()];
  const deltas = await run();
  const seconds = (performance.now() - started) / 1000;
  return {
    deltas,
    redraws: (await redraws(page)) - drawn,
    busy: ((await taskSeconds()) - tasks) / seconds,
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
async function interact(page: Page, until: Promise<unknown>, zoom = true): Promise<number> {
  let finished = false;
  void until.then(() => (finished = true));
  const box = await page.locator('[data-testid=performance-panel] canvas').first().boundingBox();
  if (!box) throw new Error('the loss chart is not on the page');
  const y = box.y + box.height * 0.3;
  let events = 0;
  for (let i = 0; !finished; i++) {
    const x = box.x + box.width * (0.15 + 0.7 * ((i % 40) / 40));
    await page.mouse.move(x, y);
    if (!zoom) {
      events += 1;
      continue;
    }
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

/**
 * Plays the run on after the log until `until` settles: every 50 ms (the host's batching
 * interval) one `records` event with the next steps, pushed into the page's WebSocket as the
 * host sends it (the same binary frame). Returns the number of steps appended.
 */
async function playLive(
  socket: WebSocketRoute,
  run: ReturnType<typeof syntheticContinuation>,
  until: Promise<unknown>,
): Promise<number> {
  let finished = false;
  void until.then(() => (finished = true));
  const perBatch = Math.max(1, Math.round(RATE / 20));
  const started = performance.now();
  let steps = 0;
  for (let batch = 1; !finished; batch++) {
    const frame = encodeHostEvent({ kind: 'records', records: run.next(perBatch) });
    socket.send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    steps += perBatch;
    const wait = started + batch * 50 - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
  return steps;
}

// ---- Diagnostics (--profile, --trace) ----------------------------------------------------

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Functions by self and by total CPU time (ms) over the profile. */
function printProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const ms = profile.timeDeltas[i] / 1000;
    all += ms;
    self.set(name(id), (self.get(name(id)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      if (!seen.has(name(n))) total.set(name(n), (total.get(name(n)) ?? 0) + ms);
      seen.add(name(n));
    }
  });
  const top = (m: Map<string, number>): [string, number][] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(`\nCPU profile: ${all.toFixed(0)} ms sampled\n-- self time`);
  for (const [k, v] of top(self)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  console.log('-- total time');
  for (const [k, v] of top(total)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string } };
}

/** Main-thread trace events by exclusive time, and the cost of wheel events and frames. */
function printTrace(buffer: Buffer): void {
  const { traceEvents } = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.ph === 'M' && e.args?.name === 'CrRendererMain');
  const events = traceEvents
    .filter(
      (e) => e.ph === 'X' && e.dur !== undefined && e.pid === main?.pid && e.tid === main?.tid,
    )
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { e: TraceEvent; children: number }[] = [];
  const close = (until: number): void => {
    while (stack.length && stack.at(-1)!.e.ts + stack.at(-1)!.e.dur! <= until) {
      const top = stack.pop()!;
      self.set(top.e.name, (self.get(top.e.name) ?? 0) + top.e.dur! - top.children);
      if (stack.length) stack.at(-1)!.children += top.e.dur!;
    }
  };
  for (const e of events) {
    close(e.ts);
    stack.push({ e, children: 0 });
  }
  close(Infinity);
  console.log('\nmain thread, exclusive wall time per trace event (ms):');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${(v / 1000).toFixed(0).padStart(7)}  ${k}`);
  }
  const kinds = new Map<string, number[]>();
  for (const e of events) {
    const kind =
      e.name === 'EventDispatch'
        ? `EventDispatch ${e.args?.data?.type}`
        : e.name === 'ProxyMain::BeginMainFrame' || e.name === 'FireAnimationFrame'
          ? e.name
          : undefined;
    if (kind) kinds.set(kind, [...(kinds.get(kind) ?? []), e.dur! / 1000]);
  }
  for (const [kind, ms] of kinds) {
    if (ms.length < 5) continue;
    ms.sort((a, b) => a - b);
    console.log(
      `  ${kind}: ${ms.length}×, median ${quantile(ms, 0.5).toFixed(1)} ms, ` +
        `p90 ${quantile(ms, 0.9).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms`,
    );
  }
}

/** Runs `measure` under the CPU profiler or the tracer when --profile / --trace name `phase`. */
async function diagnosed<T>(
  browser: Browser,
  page: Page,
  phase: string,
  measure: () => Promise<T>,
): Promise<T> {
  const cdp = PROFILE === phase ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  if (TRACE === phase) {
    await browser.startTracing(page, {
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
    });
  }
  const result = await measure();
  if (TRACE === phase) printTrace(await browser.stopTracing());
  if (cdp) {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    printProfile(profile);
    await cdp.detach();
  }
  return result;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function row(label: string, { deltas, redraws, busy }: PhaseResult): string[] {
  const sorted = [...deltas].sort((a, b) => a - b);
  const slow = deltas.filter((d) => d > 50).length;
  return [
    label,
    String(deltas.length),
    quantile(sorted, 0.5).toFixed(1),
    quantile(sorted, 0.95).toFixed(1),
    (sorted.at(-1) ?? NaN).toFixed(1),
    `${((100 * slow) / Math.max(1, deltas.length)).toFixed(1)} %`,
    String(redraws),
    `${(100 * busy).toFixed(0)} %`,
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
  if (!existsSync(cli) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    console.log('building the app (npx electron-vite build) …');
    execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'ignore' });
  }
  if (!existsSync(CHROMIUM)) throw new Error(`missing ${CHROMIUM}: apt-get install chromium`);
  const home = mkdtempSync(join(tmpdir(), 'vivit-bench-frames-'));
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  try {
    const logFile = join(home, 'bench-session.jsonl');
    const logOptions: SyntheticLogOptions = {
      name: 'Frame-time bench',
      steps: STEPS,
      k: K,
      seed: 11,
      horizon: 500,
      evalEvery: 100,
      damping: false,
      inspect: false,
    };
    const text = syntheticLog(logOptions);
    writeFileSync(logFile, text);
    console.log(
      `log: ${STEPS} steps, curvature every 10 steps (K = ${K}), eval every 100 steps; ` +
        `${(text.length / 2 ** 20).toFixed(1)} MiB`,
    );

    server = await startWebHost(home);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1800, height: 1100 } });
    // tsx (esbuild keepNames) wraps named functions in `__name(...)`; functions that
    // page.evaluate sends to the page need that helper there too.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    // The page's socket goes through Playwright to the real host, so the live phases can push
    // `records` events into it exactly as the host does during a run.
    let socket: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/ws/, (ws) => {
      ws.connectToServer();
      socket = ws;
    });
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
    const metrics = await page.context().newCDPSession(page);
    await metrics.send('Performance.enable');
    const idle = await measured(page, metrics, () => recordFrames(page, SECONDS * 1000));
    let hoverEvents = 0;
    const hover = await diagnosed(browser, page, 'hover', () =>
      measured(page, metrics, async () => {
        const frames = recordFrames(page, SECONDS * 1000);
        hoverEvents = await interact(page, frames, false);
        return frames;
      }),
    );
    let events = 0;
    const busy = await diagnosed(browser, page, 'zoom', () =>
      measured(page, metrics, async () => {
        const frames = recordFrames(page, SECONDS * 1000);
        events = await interact(page, frames);
        return frames;
      }),
    );
    // The live phases need a live session (the renderer paces redraws only then): hand the page
    // the same 10,000 steps as the snapshot a browser gets when it connects during a run.
    if (!socket) throw new Error('the page opened no WebSocket');
    const { header, records } = parseLog(text);
    const snapshot = encodeHostEvent({
      kind: 'snapshot',
      examples: [],
      header,
      records,
      state: 'running',
      step: STEPS,
      source: 'live',
    });
    socket.send(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength));
    await page.waitForFunction(
      (steps) => {
        const charts = (globalThis as unknown as DebugWindow).__vivitDebug?.charts() ?? {};
        const loss = charts.performance?.series.find((s) => s.id === 'trainLoss');
        return loss?.length === steps && !charts.performance?.pending;
      },
      STEPS,
      { polling: 'raf', timeout: 120_000 },
    );
    await page.waitForTimeout(1000);
    const run = syntheticContinuation(logOptions);
    let appended = 0;
    let liveEvents = 0;
    const live = (interacting: boolean) => async () => {
      if (!socket) throw new Error('the page opened no WebSocket');
      const live = socket;
      const result = await measured(page, metrics, async () => {
        const frames = recordFrames(page, SECONDS * 1000);
        const steps = playLive(live, run, frames);
        if (interacting) liveEvents = await interact(page, frames);
        appended = await steps;
        return frames;
      });
      await page.waitForTimeout(1000); // the last batches drawn before the next phase
      return result;
    };
    const liveIdle = await diagnosed(browser, page, 'live', live(false));
    const liveSteps = appended;
    const liveBusy = await diagnosed(browser, page, 'live-zoom', live(true));
    const shot = argv[argv.indexOf('--screenshot') + 1];
    if (argv.includes('--screenshot') && shot) await page.screenshot({ path: shot });

    console.log(`upload → all ${CHARTS.length} panels drawn: ${loadMs.toFixed(0)} ms`);
    console.log(`frame intervals over ${SECONDS} s (requestAnimationFrame deltas, ms):\n`);
    printTable([
      ['phase', 'frames', 'median', 'p95', 'max', '> 50 ms', 'redraws', 'main busy'],
      row('idle after load', idle),
      row(`hover over the loss chart (${hoverEvents} moves)`, hover),
      row(`hover + shift-wheel zoom on the loss chart (${events} events)`, busy),
      row(`live run, ${RATE} steps/s (${liveSteps} steps appended)`, liveIdle),
      row(`live run + hover + zoom (${liveEvents} events)`, liveBusy),
    ]);
  } finally {
    await browser?.close();
    await stopWebHost(server?.child);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
