// The only place host events change the stores.
import type { HostEvent } from '../../../protocol/host';
import { useDefinitionStore } from './definition';
import { useSessionStore } from './session';
import { useUiStore } from './ui';

export function applyHostEvent(event: HostEvent): void {
  const session = useSessionStore();
  const definition = useDefinitionStore();
  const ui = useUiStore();
  switch (event.kind) {
    case 'snapshot':
      definition.set(event.definition);
      definition.setExamples(event.examples);
      session.reset(event.header, event.source, event.logPath);
      session.append(event.records);
      session.setState(event.state, event.step);
      break;
    case 'definition':
      definition.set(event.definition);
      // Choosing a definition ends the display of a saved log, so that Start (which trains the
      // definition) is offered again; a live session stays on screen until the next start.
      if (session.source === 'replay') session.reset(undefined, 'none');
      break;
    case 'session':
      session.reset(event.header, event.source, event.logPath);
      ui.setStatus(undefined);
      break;
    case 'records':
      session.append(event.records);
      break;
    case 'state':
      session.setState(event.state, event.step, event.message);
      if (event.state === 'error' && event.message) ui.notify('error', event.message);
      if (event.state !== 'idle') ui.setStatus(undefined);
      break;
    case 'status':
      ui.setStatus(event.message);
      break;
    case 'notice':
      ui.notify(event.level, event.message);
      break;
    default:
      console.warn('vivit-monitor: unknown host event', (event as { kind?: unknown }).kind);
  }
}
