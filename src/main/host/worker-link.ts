// One training worker thread and the signs of its death. A worker that throws past its own
// handlers, fails to deliver a message or exits without being asked to is reported once as a
// crash; a terminate() we asked for is not.
import type { Worker } from 'node:worker_threads';
import type { WorkerCommand, WorkerMessage } from '../../protocol/worker';
import type { WorkerSpec } from './paths';
import { spawnWorker } from './worker-thread';

export interface WorkerLinkHandlers {
  message(message: WorkerMessage): void;
  crash(reason: string): void;
}

export class WorkerLink {
  private ended = false;

  private constructor(private readonly worker: Worker) {}

  static spawn(spec: WorkerSpec, handlers: WorkerLinkHandlers): WorkerLink {
    const link = new WorkerLink(spawnWorker(spec));
    const crash = (reason: string): void => {
      if (link.ended) return;
      link.ended = true;
      handlers.crash(reason);
    };
    link.worker.on('message', (message: WorkerMessage) => {
      if (!link.ended) handlers.message(message);
    });
    link.worker.on('error', (error: Error) => crash(error.message || String(error)));
    link.worker.on('messageerror', (error: Error) =>
      crash(`a message could not be read: ${error.message}`),
    );
    link.worker.on('exit', (code) => crash(`it exited with code ${code}`));
    return link;
  }

  /** False once the worker has died or been terminated. */
  get alive(): boolean {
    return !this.ended;
  }

  post(command: WorkerCommand): void {
    if (!this.ended) this.worker.postMessage(command);
  }

  async terminate(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
}
