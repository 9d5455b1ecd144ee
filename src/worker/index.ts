// Worker entry (built to out/main/worker.js): wires the parent port to one TrainingSession.
// Anything thrown outside the session's own handling is reported as an `error` message instead
// of killing the thread, so the host can always send a new start.
import { parentPort } from 'node:worker_threads';
import type { WorkerCommand, WorkerMessage } from '../protocol/worker';
import { TrainingSession } from './session';

const COMMANDS = new Set(['start', 'pause', 'resume', 'step', 'stop', 'inspect']);

const isIndex = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isCommand(value: unknown): value is WorkerCommand {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as { type?: unknown; definition?: unknown; group?: unknown; direction?: unknown };
  if (!COMMANDS.has(c.type as string)) return false;
  if (c.type === 'start') return typeof c.definition === 'object';
  if (c.type === 'inspect') return isIndex(c.group) && isIndex(c.direction);
  return true;
}

const port = parentPort;
if (!port) throw new Error('src/worker/index.ts must run in a worker thread');

const post = (message: WorkerMessage) => port.postMessage(message);
const session = new TrainingSession(post);

port.on('message', (value: unknown) => {
  if (!isCommand(value)) {
    post({
      type: 'error',
      message: `the worker received an invalid command: ${JSON.stringify(value)}`,
    });
    return;
  }
  try {
    session.handle(value);
  } catch (e) {
    post({
      type: 'error',
      message: `the worker failed: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
});

process.on('uncaughtException', (e) => {
  post({ type: 'error', message: `the worker failed: ${e.message}` });
});
process.on('unhandledRejection', (e) => {
  post({
    type: 'error',
    message: `the worker failed: ${e instanceof Error ? e.message : String(e)}`,
  });
});
