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
    step: on && ctx.state === 'paused',
    stop: on && active,
  };
}
