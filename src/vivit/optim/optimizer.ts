// What an optimizer provides: new parameter values from the current ones and their
// gradients, keeping its own state (momentum buffers, moment estimates) between steps.

import type { Ops } from '../tensor/ops';

export interface Optimizer<T> {
  /** Call inside ops.tidy: returns the updated parameters (new tensors) and keeps the state
   *  tensors it carries to the next step, releasing the ones it replaced. */
  step(params: readonly T[], grads: readonly T[]): T[];
  /** Number of steps taken. */
  readonly steps: number;
  /** Releases the state tensors. */
  dispose(): void;
}

/** Replaces a kept state tensor: keeps the new one and releases the old one. */
export function replaceState<T>(ops: Ops<T>, state: (T | undefined)[], i: number, next: T): T {
  const old = state[i];
  state[i] = ops.keep(next);
  if (old !== undefined && old !== next) ops.dispose(old);
  return next;
}

export function checkStepArgs<T>(params: readonly T[], grads: readonly T[]): void {
  if (params.length !== grads.length) {
    throw new Error(`optimizer: ${params.length} parameters but ${grads.length} gradients`);
  }
}
