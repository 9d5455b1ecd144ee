// Messages between the host (Electron main or the web host) and the renderer. The same types
// travel over Electron IPC and over the web host's WebSocket (JSON text frames).
import type { DefinitionIssue, RunDefinition } from './definition';
import type { BodyRecord, HeaderRecord } from './records';
import type { RunState } from './worker';

export type RunCommand = 'start' | 'pause' | 'resume' | 'step' | 'stop';

export interface DefinitionInfo {
  name: string;
  path?: string;
  text: string;
  /** Present when the definition is valid. */
  definition?: RunDefinition;
  issues: DefinitionIssue[];
}

export interface ExampleInfo {
  name: string;
  path: string;
}

/** Renderer -> host. */
export type HostRequest =
  /** Ask for a full snapshot (sent on connect/reconnect). */
  | { kind: 'hello' }
  | { kind: 'command'; command: RunCommand }
  /** Load by path (examples, Electron dialog) or by content (browser upload). */
  | { kind: 'loadDefinition'; path?: string; text?: string; name?: string }
  /** Open a saved log by path (Electron) or by content (browser upload). */
  | { kind: 'openLog'; path?: string; text?: string; name?: string }
  /** Electron: shows a save dialog. The web host serves the log at GET /api/log instead. */
  | { kind: 'saveLog' }
  | { kind: 'inspect'; group: number; direction: number };

/** Host -> renderer. */
export type HostEvent =
  | {
      kind: 'snapshot';
      definition?: DefinitionInfo;
      examples: ExampleInfo[];
      header?: HeaderRecord;
      records: BodyRecord[];
      state: RunState;
      step: number;
      source: 'live' | 'replay' | 'none';
      logPath?: string;
    }
  | { kind: 'definition'; definition: DefinitionInfo }
  /** A new session began (live) or a log was opened (replay): stores reset to this header. */
  | { kind: 'session'; header: HeaderRecord; source: 'live' | 'replay'; logPath?: string }
  /** Records in order, batched by the host. */
  | { kind: 'records'; records: BodyRecord[] }
  | { kind: 'state'; state: RunState; step: number; message?: string }
  | { kind: 'status'; message: string }
  | { kind: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Web host endpoints; every one requires `?token=` (or the `x-vivit-token` header). */
export const WEB_PATHS = {
  socket: '/ws',
  log: '/api/log', // GET: the current session log as a download
} as const;

/** WebSocket close code of the web host when the token is missing or wrong (reason says so). */
export const WEB_CLOSE_UNAUTHORIZED = 4401;

/**
 * The API the Electron preload exposes on `window.vivit` (contextBridge). Requests are
 * validated again in main; events arrive in order.
 */
export interface VivitBridge {
  send(request: HostRequest): void;
  /** Returns a function that removes the listener. */
  onEvent(listener: (event: HostEvent) => void): () => void;
}
