// Which run commands make sense in which state.
import type { RunCommand } from '../../protocol/host';
import type { RunState } from '../../protocol/worker';

export interface ControlContext {
  state: RunState;
  connected: boolean;
  definitionValid: boolean;
}

export function availableCommands(ctx: ControlContext): Record<RunCommand, boolean> {
  const active = ctx.state === 'running' || ctx.state === 'paused';
  const on = ctx.connected;
  return {
    start: on && ctx.definitionValid && !active,
    pause: on && ctx.state === 'running',
    resume: on && ctx.state === 'paused',
    // From a stopped state the host starts the run paused and takes one step.
    step: on && (ctx.state === 'paused' || (!active && ctx.definitionValid)),
    stop: on && active,
  };
}
