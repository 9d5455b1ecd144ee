// The host core: one training worker, the current session (live or replayed) and its log, and
// the renderers listening. Shared by Electron main, the web host and the CLI; no Electron here.
//
// Every record from the worker is written to the session log the moment it arrives (the log is
// the source of truth); renderers get records coalesced into batches, because the worker never
// waits on them and a chart redraw per step would not keep up.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type {
  DefinitionInfo,
  ExampleInfo,
  HostEvent,
  HostRequest,
  RunCommand,
} from '../../protocol/host';
import { encodeRecord, LogFormatError, parseLog, type LogProblem } from '../../protocol/log-codec';
import type { BodyRecord, EventRecord, HeaderRecord } from '../../protocol/records';
import type { RunState, WorkerCommand, WorkerMessage } from '../../protocol/worker';
import {
  definitionFromFile,
  definitionFromText,
  workerDefinitions,
  type DefinitionSource,
} from './definitions';
import { listExamples } from './examples';
import { defaultSessionsDir, defaultWorkerSpec, examplesDir, type WorkerSpec } from './paths';
import { SessionLogWriter, uniqueLogPath } from './session-log';
import { spawnWorker } from './worker-thread';

export type HostListener = (event: HostEvent) => void;

export interface HostCoreOptions {
  /** The worker entry; defaults to the built out/main/worker.js (or the TS source under tsx). */
  worker?: WorkerSpec;
  /** Where new session logs go; defaults to $VIVIT_MONITOR_HOME/sessions. */
  sessionsDir?: string;
  examplesDir?: string;
  definitions?: DefinitionSource;
  /** How long records are coalesced before they go to renderers. */
  flushIntervalMs?: number;
}

export interface StartOptions {
  /** Overrides the definition's steps/epochs (CLI --steps). */
  maxSteps?: number;
  /** Log file for this session instead of a new file in the sessions directory (CLI --log). */
  logPath?: string;
  /** Start paused (the first command was `step`). */
  paused?: boolean;
}

interface Session {
  header: HeaderRecord;
  records: BodyRecord[];
  source: 'live' | 'replay';
  /** The log file: written by us (live) or the file opened (replay); none for an upload. */
  logPath?: string;
  writer?: SessionLogWriter;
}

const TERMINAL: ReadonlySet<RunState> = new Set(['idle', 'stopped', 'finished', 'error']);
/** Replayed records go out in chunks so one huge message does not stall a renderer. */
const REPLAY_CHUNK = 5000;
/** At most this many log problems are listed one by one; the rest are counted. */
const MAX_LISTED_PROBLEMS = 5;

export class HostCore {
  private readonly listeners = new Set<HostListener>();
  private readonly workerSpec: WorkerSpec;
  private readonly sessionsDir: string;
  private readonly examplesDir: string;
  private readonly definitions: DefinitionSource;
  private readonly flushIntervalMs: number;

  private worker: Worker | undefined;
  private definition: DefinitionInfo | undefined;
  private session: Session | undefined;
  private runState: RunState = 'idle';
  private runStep = 0;
  /** Set between a start command and the worker's header; holds that start's options. */
  private pendingStart: StartOptions | undefined;
  private pending: BodyRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private logWriteFailed = false;
  /** A `step` command started the run; take that step once the worker reports 'paused'. */
  private stepWhenReady = false;
  /** Files the user chose through the app (dialogs, CLI) or that we wrote: a renderer may name these. */
  private readonly trustedPaths = new Set<string>();
  private disposed = false;

  constructor(options: HostCoreOptions = {}) {
    this.workerSpec = options.worker ?? defaultWorkerSpec();
    this.sessionsDir = options.sessionsDir ?? defaultSessionsDir();
    this.examplesDir = options.examplesDir ?? examplesDir();
    this.definitions = options.definitions ?? workerDefinitions;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
  }

  // ---- listeners ------------------------------------------------------------------------

  /** Every broadcast event goes to every listener, in order. Returns an unsubscribe function. */
  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private broadcast(event: HostEvent): void {
    if (event.kind !== 'records') this.flush();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken connection must not stop the others (or the run).
        console.error('vivit-monitor: a host listener failed:', error);
      }
    }
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.broadcast({ kind: 'notice', level, message });
  }

  /** A notice for every renderer, from the host shell (e.g. "saved the log to ..."). */
  announce(level: 'info' | 'warning' | 'error', message: string): void {
    this.notice(level, message);
  }

  // ---- read-only views ------------------------------------------------------------------

  get state(): RunState {
    return this.runState;
  }

  get step(): number {
    return this.runStep;
  }

  get currentDefinition(): DefinitionInfo | undefined {
    return this.definition;
  }

  /** The log of the session on display (the live log, or the replayed file). */
  get currentLogPath(): string | undefined {
    return this.session?.logPath;
  }

  get examples(): ExampleInfo[] {
    return listExamples(this.examplesDir);
  }

  /** True while a start is pending or a live run is running or paused. */
  get busy(): boolean {
    return this.pendingStart !== undefined || !TERMINAL.has(this.runState);
  }

  snapshot(): Extract<HostEvent, { kind: 'snapshot' }> {
    this.flush();
    const s = this.session;
    const event: Extract<HostEvent, { kind: 'snapshot' }> = {
      kind: 'snapshot',
      examples: this.examples,
      records: s ? s.records.slice() : [],
      state: this.runState,
      step: this.runStep,
      source: s ? s.source : 'none',
    };
    if (this.definition) event.definition = this.definition;
    if (s) event.header = s.header;
    if (s?.logPath) event.logPath = s.logPath;
    return event;
  }

  // ---- requests from renderers ------------------------------------------------------------

  /**
   * Acts on a validated request from a renderer. `reply` reaches only the requester (the
   * snapshot, and notices about its own bad requests); everything else is broadcast.
   * Paths from a renderer are limited to examples and files the user chose in the app.
   */
  async handle(request: HostRequest, reply: HostListener): Promise<void> {
    switch (request.kind) {
      case 'hello':
        reply(this.snapshot());
        return;
      case 'command':
        this.command(request.command);
        return;
      case 'loadDefinition':
        if (request.path !== undefined) {
          if (!this.mayOpen(request.path))
            return reply(this.pathRefused(request.path, 'definition'));
          await this.loadDefinitionFile(request.path);
        } else if (request.text !== undefined) {
          await this.loadDefinitionText(request.text, request.name ?? 'uploaded definition');
        }
        return;
      case 'openLog':
        if (request.path !== undefined) {
          if (!this.mayOpen(request.path)) return reply(this.pathRefused(request.path, 'log'));
          this.openLogFile(request.path);
        } else if (request.text !== undefined) {
          this.openLogText(request.text, request.name ?? 'uploaded log');
        }
        return;
      case 'saveLog':
        reply({
          kind: 'notice',
          level: 'info',
          message: 'This host cannot show a save dialog; download the log instead.',
        });
        return;
    }
  }

  private mayOpen(path: string): boolean {
    const resolved = resolve(path);
    return (
      this.trustedPaths.has(resolved) || this.examples.some((e) => resolve(e.path) === resolved)
    );
  }

  private pathRefused(path: string, what: string): HostEvent {
    return {
      kind: 'notice',
      level: 'error',
      message:
        `Refused to open ${basename(path)}: the page may only open bundled examples and files ` +
        `chosen in the app. Upload the ${what} file instead.`,
    };
  }

  // ---- definitions ----------------------------------------------------------------------

  /** Loads a definition chosen by the user (dialog, CLI); shown even when it has issues. */
  async loadDefinitionFile(path: string): Promise<DefinitionInfo | undefined> {
    if (this.refuseWhileBusy('load another definition')) return undefined;
    const absolute = resolve(path);
    this.trustedPaths.add(absolute);
    return this.setDefinition(await definitionFromFile(this.definitions, absolute));
  }

  async loadDefinitionText(text: string, name: string): Promise<DefinitionInfo | undefined> {
    if (this.refuseWhileBusy('load another definition')) return undefined;
    return this.setDefinition(await definitionFromText(this.definitions, text, name));
  }

  private setDefinition(info: DefinitionInfo): DefinitionInfo {
    this.definition = info;
    this.broadcast({ kind: 'definition', definition: info });
    return info;
  }

  private refuseWhileBusy(action: string): boolean {
    if (!this.busy) return false;
    this.notice('error', `Stop the current run before you ${action}.`);
    return true;
  }

  // ---- commands -------------------------------------------------------------------------

  command(command: RunCommand): void {
    switch (command) {
      case 'start':
        this.start();
        return;
      case 'step':
        if (this.busy) this.post({ type: 'step' });
        // The worker takes steps only once the run is ready, so the step waits for 'paused'.
        else if (this.start({ paused: true })) this.stepWhenReady = true;
        return;
      case 'pause':
      case 'resume':
      case 'stop':
        if (!this.busy) {
          this.notice('info', `Nothing is running, so there is nothing to ${command}.`);
          return;
        }
        this.post({ type: command });
        return;
    }
  }

  /** Starts a new live session with the current definition. Returns false (with a notice) if not. */
  start(options: StartOptions = {}): boolean {
    if (this.busy) {
      this.notice('warning', 'A run is already in progress; stop it before starting a new one.');
      return false;
    }
    const info = this.definition;
    if (!info) {
      this.notice('error', 'Load a run definition before starting.');
      return false;
    }
    if (!info.definition) {
      const n = info.issues.length;
      this.notice(
        'error',
        `The definition "${info.name}" has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before starting.`,
      );
      return false;
    }
    if (options.logPath !== undefined && existsSync(options.logPath)) {
      this.notice('error', `The log file ${options.logPath} already exists; choose another path.`);
      return false;
    }
    try {
      this.ensureWorker();
    } catch (error) {
      this.notice('error', `Cannot start the training worker: ${(error as Error).message}`);
      return false;
    }
    this.pendingStart = options;
    const cmd: WorkerCommand = { type: 'start', definition: info.definition };
    if (info.path !== undefined) cmd.definitionPath = info.path;
    if (options.maxSteps !== undefined) cmd.maxSteps = options.maxSteps;
    if (options.paused) cmd.paused = true;
    this.post(cmd);
    return true;
  }

  private post(command: WorkerCommand): void {
    this.worker?.postMessage(command);
  }

  // ---- the worker -----------------------------------------------------------------------

  private ensureWorker(): void {
    if (this.worker) return;
    const worker = spawnWorker(this.workerSpec);
    this.worker = worker;
    let crashed = false;
    const onCrash = (reason: string): void => {
      if (crashed || this.worker !== worker) return;
      crashed = true;
      this.worker = undefined;
      this.onWorkerCrash(reason);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (this.worker === worker) this.onWorkerMessage(message);
    });
    worker.on('error', (error: Error) => onCrash(error.message || String(error)));
    worker.on('messageerror', (error: Error) =>
      onCrash(`a message could not be read: ${error.message}`),
    );
    worker.on('exit', (code) => onCrash(`it exited with code ${code}`));
  }

  private onWorkerMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'header':
        this.beginLiveSession(message.header);
        return;
      case 'record':
        this.addRecord(message.record);
        return;
      case 'state':
        this.setState(message.state, message.step, message.message);
        return;
      case 'status':
        this.broadcast({ kind: 'status', message: message.message });
        return;
      case 'error':
        // The worker follows this with its own 'error' state; here the user gets the reason.
        this.pendingStart = undefined;
        this.stepWhenReady = false;
        this.notice('error', message.message);
        return;
    }
  }

  private beginLiveSession(header: HeaderRecord): void {
    const options = this.pendingStart ?? {};
    this.pendingStart = undefined;
    this.closeSession();
    const logPath = resolve(
      options.logPath ?? uniqueLogPath(this.sessionsDir, header.name, new Date()),
    );
    let writer: SessionLogWriter | undefined;
    this.logWriteFailed = false;
    try {
      writer = SessionLogWriter.create(logPath, header);
      this.trustedPaths.add(logPath);
    } catch (error) {
      this.logWriteFailed = true;
      this.notice(
        'error',
        `Cannot create the session log ${logPath}: ${(error as Error).message}. The run continues, but is not being saved.`,
      );
    }
    this.session = { header, records: [], source: 'live', ...(writer && { logPath, writer }) };
    this.runStep = 0;
    this.broadcast({ kind: 'session', header, source: 'live', ...(writer && { logPath }) });
  }

  private addRecord(record: BodyRecord): void {
    const session = this.session;
    if (!session || session.source !== 'live') return; // a record without a header: nothing to attach it to
    if (session.writer && !this.logWriteFailed) {
      try {
        session.writer.append(record);
      } catch (error) {
        this.logWriteFailed = true;
        this.notice(
          'error',
          `Writing the session log failed: ${(error as Error).message}. Records from step ${record.step} on are not saved.`,
        );
      }
    }
    session.records.push(record);
    this.pending.push(record);
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  /** Sends the coalesced records now (before any other event, so order is kept). */
  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.broadcast({ kind: 'records', records });
  }

  private setState(state: RunState, step: number, message?: string): void {
    this.runState = state;
    this.runStep = step;
    if (this.stepWhenReady && state !== 'idle') {
      this.stepWhenReady = false;
      if (state === 'paused') this.post({ type: 'step' });
    }
    if (TERMINAL.has(state) && state !== 'idle') {
      // The run ended (or failed while preparing): a new start may come.
      this.pendingStart = undefined;
      try {
        this.session?.writer?.sync();
      } catch {
        // fsync is a best effort; the bytes are already with the OS.
      }
    }
    this.broadcast({ kind: 'state', state, step, ...(message !== undefined && { message }) });
  }

  private onWorkerCrash(reason: string): void {
    const wasStarting = this.pendingStart !== undefined;
    this.pendingStart = undefined;
    this.stepWhenReady = false;
    const session = this.session;
    const live = session?.source === 'live' && !TERMINAL.has(this.runState);
    const message = `The training worker crashed (${reason}).`;
    if (live) {
      const record: EventRecord = {
        type: 'event',
        step: this.runStep,
        kind: 'error',
        message,
        time: new Date().toISOString(),
      };
      this.addRecord(record);
    }
    const kept =
      live && session?.logPath
        ? ` The log keeps everything up to step ${this.runStep}: ${session.logPath}`
        : '';
    if (live || wasStarting) {
      this.notice('error', message + kept);
      this.setState('error', this.runStep, message);
    } else if (!this.disposed) {
      // Idle worker died: nothing lost; the next start spawns a new one.
      this.notice('warning', `${message} A new one will start with the next run.`);
    }
  }

  // ---- logs -----------------------------------------------------------------------------

  /** Opens a saved log chosen by the user and replays it. */
  openLogFile(path: string): boolean {
    if (this.refuseWhileBusy('open a log')) return false;
    const absolute = resolve(path);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.notice(
        'error',
        `Cannot open ${absolute}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`,
      );
      return false;
    }
    this.trustedPaths.add(absolute);
    return this.replay(text, basename(absolute), absolute);
  }

  /** Replays a log uploaded as text (browser). */
  openLogText(text: string, name: string): boolean {
    if (this.refuseWhileBusy('open a log')) return false;
    return this.replay(text, name, undefined);
  }

  private replay(text: string, name: string, path: string | undefined): boolean {
    let parsed;
    try {
      parsed = parseLog(text);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      this.notice('error', `Cannot open ${name}: ${error.message}`);
      return false;
    }
    const { header, records, problems } = parsed;
    this.closeSession();
    this.session = {
      header,
      records,
      source: 'replay',
      ...(path !== undefined && { logPath: path }),
    };
    this.broadcast({
      kind: 'session',
      header,
      source: 'replay',
      ...(path !== undefined && { logPath: path }),
    });
    for (let i = 0; i < records.length; i += REPLAY_CHUNK) {
      this.broadcast({ kind: 'records', records: records.slice(i, i + REPLAY_CHUNK) });
    }
    const lastStep = records.reduce((max, r) => Math.max(max, r.step), 0);
    this.runState = replayedState(records);
    this.runStep = lastStep;
    this.broadcast({ kind: 'state', state: this.runState, step: lastStep });
    if (problems.length) this.notice('warning', describeProblems(name, problems));
    return true;
  }

  /**
   * Copies the current session's log to `target` (also while running: every record so far is
   * already written). A log uploaded as text is written out from memory. Throws with a clear
   * message when there is nothing to save or the copy fails.
   */
  saveLogAs(target: string): string {
    const session = this.session;
    if (!session)
      throw new Error('There is no session to save yet: start a run or open a log first.');
    const destination = resolve(target);
    if (session.logPath && resolve(session.logPath) === destination) return destination;
    mkdirSync(dirname(destination), { recursive: true });
    if (session.logPath && !this.logWriteFailed) {
      this.flush();
      copyFileSync(session.logPath, destination);
    } else {
      const lines = [encodeRecord(session.header), ...session.records.map((r) => encodeRecord(r))];
      writeFileSync(destination, lines.join(''));
    }
    this.trustedPaths.add(destination);
    return destination;
  }

  /** The bytes of the current session log, for the web host's download. */
  currentLogText(): { name: string; text: string } | undefined {
    const session = this.session;
    if (!session) return undefined;
    if (session.logPath && !this.logWriteFailed) {
      return { name: basename(session.logPath), text: readFileSync(session.logPath, 'utf8') };
    }
    const text = [
      encodeRecord(session.header),
      ...session.records.map((r) => encodeRecord(r)),
    ].join('');
    return { name: `${session.header.name}.jsonl`, text };
  }

  private closeSession(): void {
    this.flush();
    try {
      this.session?.writer?.close();
    } catch (error) {
      this.notice('warning', `Closing the session log failed: ${(error as Error).message}`);
    }
  }

  /** Stops the worker and closes the log. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.closeSession();
    const worker = this.worker;
    this.worker = undefined;
    this.listeners.clear();
    if (worker) await worker.terminate();
  }
}

/** What a replayed session ended as, from its last run event (a log cut short reads 'stopped'). */
function replayedState(records: BodyRecord[]): RunState {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type !== 'event') continue;
    if (r.kind === 'finished' || r.kind === 'stopped' || r.kind === 'error') return r.kind;
    break;
  }
  return 'stopped';
}

function describeProblems(name: string, problems: LogProblem[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => p.message);
  const more = problems.length - listed.length;
  return `${name}: ${listed.join('; ')}${more > 0 ? `; and ${more} more problem lines skipped` : ''}.`;
}
