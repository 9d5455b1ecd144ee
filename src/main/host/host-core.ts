// The host core: one training worker, the current session (live or replayed, kept with its log
// by SessionStore), and the renderers listening. Shared by Electron main, the web host and the
// CLI; no Electron here.
//
// Every record from the worker is written to the session log the moment it arrives (the log is
// the source of truth); renderers get records coalesced into batches (RecordBatcher).
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type {
  DefinitionInfo,
  ExampleInfo,
  HostEvent,
  HostRequest,
  RunCommand,
} from '../../protocol/host';
import { LogFormatError } from '../../protocol/log-codec';
import type { BodyRecord, HeaderRecord } from '../../protocol/records';
import type { RunState, WorkerCommand, WorkerMessage } from '../../protocol/worker';
import {
  definitionFromFile,
  definitionFromText,
  workerDefinitions,
  type DefinitionSource,
} from './definitions';
import { listExamples } from './examples';
import { defaultSessionsDir, defaultWorkerSpec, examplesDir, type WorkerSpec } from './paths';
import { RecordBatcher } from './record-batcher';
import { describeProblems, readReplay } from './replay';
import { uniqueLogPath } from './session-log';
import { SessionStore } from './session-store';
import { WorkerLink } from './worker-link';

export type HostListener = (event: HostEvent) => void;
type Snapshot = Extract<HostEvent, { kind: 'snapshot' }>;
type NoticeLevel = 'info' | 'warning' | 'error';

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

const ENDED: ReadonlySet<RunState> = new Set(['idle', 'stopped', 'finished', 'error']);
/** Replayed records go out in chunks so one huge message does not stall a renderer. */
const REPLAY_CHUNK = 5000;

export class HostCore {
  private readonly listeners = new Set<HostListener>();
  private readonly workerSpec: WorkerSpec;
  private readonly sessionsDir: string;
  private readonly examplesDir: string;
  private readonly definitions: DefinitionSource;
  private readonly batcher: RecordBatcher;

  private worker: WorkerLink | undefined;
  private definition: DefinitionInfo | undefined;
  private readonly store: SessionStore;
  private runState: RunState = 'idle';
  private runStep = 0;
  /** Set between a start command and the worker's header; holds that start's options. */
  private pendingStart: StartOptions | undefined;
  /** A `step` command started the run; take that step once the worker reports 'paused'. */
  private stepWhenReady = false;
  /** Files the user chose through the app (dialogs, CLI) or that we wrote: a page may name these. */
  private readonly trustedPaths = new Set<string>();
  private disposed = false;

  constructor(options: HostCoreOptions = {}) {
    this.store = new SessionStore({
      notice: (level, message) => this.announce(level, message),
      trust: (path) => this.trustedPaths.add(path),
    });
    this.workerSpec = options.worker ?? defaultWorkerSpec();
    this.sessionsDir = options.sessionsDir ?? defaultSessionsDir();
    this.examplesDir = options.examplesDir ?? examplesDir();
    this.definitions = options.definitions ?? workerDefinitions;
    this.batcher = new RecordBatcher(
      (records) => this.emit({ kind: 'records', records }),
      options.flushIntervalMs ?? 50,
    );
  }

  // ---- listeners ------------------------------------------------------------------------

  /** Every broadcast event goes to every listener, in order. Returns an unsubscribe function. */
  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Broadcasts an event, after any records still being coalesced (so order is kept). */
  private broadcast(event: HostEvent): void {
    this.batcher.flush();
    this.emit(event);
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken connection must not stop the others (or the run).
        console.error('vivit-monitor: a host listener failed:', error);
      }
    }
  }

  /** A notice for every renderer (also from the host shell: "saved the log to ..."). */
  announce(level: NoticeLevel, message: string): void {
    this.broadcast({ kind: 'notice', level, message });
  }

  // ---- read-only views ------------------------------------------------------------------

  get state(): RunState {
    return this.runState;
  }

  get currentDefinition(): DefinitionInfo | undefined {
    return this.definition;
  }

  /** The log of the session on display (the live log, or the replayed file). */
  get currentLogPath(): string | undefined {
    return this.store.current?.logPath;
  }

  get examples(): ExampleInfo[] {
    return listExamples(this.examplesDir);
  }

  /** True while a start is pending or a live run is running or paused. */
  get busy(): boolean {
    return this.pendingStart !== undefined || !ENDED.has(this.runState);
  }

  /** Everything a renderer needs to show the current state (sent on 'hello'). */
  snapshot(): Snapshot {
    this.batcher.flush();
    const s = this.store.current;
    const event: Snapshot = {
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
   * snapshot, and notices about its own refused requests); everything else is broadcast.
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
      case 'inspect':
        this.inspect(request.group, request.direction);
        return;
      case 'loadDefinition':
        if (request.path !== undefined) {
          if (!this.mayOpen(request.path)) return reply(refused(request.path, 'definition'));
          await this.loadDefinitionFile(request.path);
        } else if (request.text !== undefined) {
          await this.loadDefinitionText(request.text, request.name ?? 'uploaded definition');
        }
        return;
      case 'openLog':
        if (request.path !== undefined) {
          if (!this.mayOpen(request.path)) return reply(refused(request.path, 'log'));
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

  private refuseWhileBusy(action: string): boolean {
    if (!this.busy) return false;
    this.announce('error', `Stop the current run before you ${action}.`);
    return true;
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
    // Choosing a definition ends the display of a saved log (renderers drop it on this event
    // too), so a renderer that connects later gets the same picture in its snapshot.
    this.store.dropReplay();
    this.broadcast({ kind: 'definition', definition: info });
    return info;
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
        if (this.busy) this.post({ type: command });
        else this.announce('info', `Nothing is running, so there is nothing to ${command}.`);
        return;
    }
  }

  /** Asks the worker for one direction's detail; it answers with an inspect record (logged like
   *  every record) or, when not paused, with an error notice. */
  inspect(group: number, direction: number): void {
    if (this.busy) this.post({ type: 'inspect', group, direction });
    else this.announce('info', 'Nothing is running, so there is no direction to inspect.');
  }

  /** Starts a new live session with the current definition. Returns false (with a notice) if not. */
  start(options: StartOptions = {}): boolean {
    const info = this.definition;
    const problem = this.busy
      ? 'A run is already in progress; stop it before starting a new one.'
      : !info
        ? 'Load a run definition before starting.'
        : !info.definition
          ? `The definition "${info.name}" has ${plural(info.issues.length, 'problem')}; ` +
            `fix ${info.issues.length === 1 ? 'it' : 'them'} before starting.`
          : options.logPath !== undefined && existsSync(options.logPath)
            ? `The log file ${options.logPath} already exists; choose another path.`
            : undefined;
    if (problem || !info?.definition) {
      this.announce(this.busy ? 'warning' : 'error', problem ?? 'Cannot start.');
      return false;
    }
    try {
      this.worker ??= WorkerLink.spawn(this.workerSpec, {
        message: (message) => this.onWorkerMessage(message),
        crash: (reason) => this.onWorkerCrash(reason),
      });
    } catch (error) {
      this.announce('error', `Cannot start the training worker: ${(error as Error).message}`);
      return false;
    }
    this.pendingStart = options;
    const command: WorkerCommand = { type: 'start', definition: info.definition };
    if (info.path !== undefined) command.definitionPath = info.path;
    if (options.maxSteps !== undefined) command.maxSteps = options.maxSteps;
    if (options.paused) command.paused = true;
    this.post(command);
    return true;
  }

  private post(command: WorkerCommand): void {
    this.worker?.post(command);
  }

  // ---- the worker's messages ------------------------------------------------------------

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
        this.announce('error', message.message);
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
    const written = this.store.beginLive(header, logPath);
    this.runStep = 0;
    this.broadcast({
      kind: 'session',
      header,
      source: 'live',
      ...(written !== undefined && { logPath: written }),
    });
  }

  private addRecord(record: BodyRecord): void {
    if (this.store.append(record)) this.batcher.add(record);
  }

  private setState(state: RunState, step: number, message?: string): void {
    this.runState = state;
    this.runStep = step;
    if (this.stepWhenReady && state !== 'idle') {
      this.stepWhenReady = false;
      if (state === 'paused') this.post({ type: 'step' });
    }
    if (ENDED.has(state) && state !== 'idle') {
      // The run ended (or failed while preparing): a new start may come.
      this.pendingStart = undefined;
      this.store.sync();
    }
    this.broadcast({ kind: 'state', state, step, ...(message !== undefined && { message }) });
  }

  private onWorkerCrash(reason: string): void {
    this.worker = undefined; // the next start spawns a new one
    const wasStarting = this.pendingStart !== undefined;
    this.pendingStart = undefined;
    this.stepWhenReady = false;
    const session = this.store.current;
    const live = session?.source === 'live' && !ENDED.has(this.runState);
    const message = `The training worker crashed (${reason}).`;
    if (live) {
      // The worker cannot write its own end any more; the log says what happened.
      this.addRecord({
        type: 'event',
        step: this.runStep,
        kind: 'error',
        message,
        time: new Date().toISOString(),
      });
    }
    if (live || wasStarting) {
      const kept =
        live && session.logPath
          ? ` The log keeps everything up to step ${this.runStep}: ${session.logPath}`
          : '';
      this.announce('error', message + kept);
      this.setState('error', this.runStep, message);
    } else if (!this.disposed) {
      this.announce('warning', `${message} A new one will start with the next run.`);
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
      const why = code === 'ENOENT' ? 'file not found' : (error as Error).message;
      this.announce('error', `Cannot open ${absolute}: ${why}`);
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
    let replay;
    try {
      replay = readReplay(text);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      this.announce('error', `Cannot open ${name}: ${error.message}`);
      return false;
    }
    const { header, records } = replay;
    const where = path !== undefined ? { logPath: path } : {};
    this.closeSession();
    this.store.replay(header, records, path);
    this.broadcast({ kind: 'session', header, source: 'replay', ...where });
    for (let i = 0; i < records.length; i += REPLAY_CHUNK) {
      this.broadcast({ kind: 'records', records: records.slice(i, i + REPLAY_CHUNK) });
    }
    this.runState = replay.state;
    this.runStep = replay.step;
    this.broadcast({ kind: 'state', state: replay.state, step: replay.step });
    if (replay.problems.length) this.announce('warning', describeProblems(name, replay.problems));
    return true;
  }

  /** Copies the current session's log to `target` (see SessionStore.saveAs). */
  saveLogAs(target: string): string {
    return this.store.saveAs(target);
  }

  /** The current session log's name and text, for the web host's download. */
  currentLogText(): { name: string; text: string } | undefined {
    return this.store.currentText();
  }

  private closeSession(): void {
    this.batcher.flush();
    this.store.close();
  }

  // ---- the end --------------------------------------------------------------------------

  /**
   * Ends the app's use of the core: a live run is stopped first (so its log ends with the
   * worker's 'stopped' record), waiting at most `timeoutMs`, then everything is disposed.
   */
  async shutdown(timeoutMs = 3000): Promise<void> {
    if (this.busy && this.worker && !this.disposed) {
      await new Promise<void>((done) => {
        const finish = (): void => {
          clearTimeout(timer);
          unsubscribe();
          done();
        };
        const timer = setTimeout(finish, timeoutMs);
        const unsubscribe = this.subscribe((event) => {
          if (event.kind === 'state' && ENDED.has(event.state)) finish();
        });
        this.post({ type: 'stop' });
      });
    }
    await this.dispose();
  }

  /** Terminates the worker at once and closes the log (everything written so far stays). */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.closeSession();
    const worker = this.worker;
    this.worker = undefined;
    this.listeners.clear();
    await worker?.terminate();
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function refused(path: string, what: 'definition' | 'log'): HostEvent {
  return {
    kind: 'notice',
    level: 'error',
    message:
      `Refused to open ${basename(path)}: the page may only open bundled examples and files ` +
      `chosen in the app. Upload the ${what} file instead.`,
  };
}
