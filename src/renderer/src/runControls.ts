// Which run commands make sense in which state.
import type { RunCommand } from '../../protocol/host';
import type { RunState } from '../../protocol/worker';

export interface ControlContext {
  state: RunState;
  connected: boolean;
  definitionValid: boolean;
  /** A saved log is on display: a command would train the loaded definition, not the log. */
  showingReplay: boolean;
}

/** Why the run commands are off while a saved log is shown (their tooltip). */
export const REPLAY_COMMANDS_HINT = 'Showing a saved log — open or pick a definition to train';

export function availableCommands(ctx: ControlContext): Record<RunCommand, boolean> {
  const active = ctx.state === 'running' || ctx.state === 'paused';
  const on = ctx.connected && !ctx.showingReplay;
  return {
    start: on && ctx.definitionValid && !active,
    pause: on && ctx.state === 'running',
    resume: on && ctx.state === 'paused',
    // From a stopped state the host starts the run paused and takes one step.
    step: on && (ctx.state === 'paused' || (!active && ctx.definitionValid)),
    stop: on && active,
  };
}
