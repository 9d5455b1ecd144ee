// Checks of requests from a renderer (Electron IPC or the web host's WebSocket) before main
// acts on them. Each returns the typed value or one message that names the offending field.
import { checkOptionalString, describeData as describe, MAX_PATH, type Checked } from './checked';
import { isObj as isObject } from './fields';
import type { HostRequest, RunCommand } from './host';

/** Largest definition text accepted from a renderer (definitions are a few KB). */
export const MAX_DEFINITION_TEXT = 1 << 20;
/** Largest log text accepted from a renderer upload. */
export const MAX_LOG_TEXT = 256 * (1 << 20);
const MAX_NAME = 1024;
/** Largest group or direction index an inspect request may name. */
const MAX_INDEX = 1 << 24;

const RUN_COMMANDS: readonly RunCommand[] = ['start', 'pause', 'resume', 'step', 'stop'];

/** Validates a request from a renderer before main acts on it. */
export function validateHostRequest(value: unknown): Checked<HostRequest> {
  if (!isObject(value))
    return { ok: false, error: `request must be an object, got ${describe(value)}` };
  const kind = value.kind;
  switch (kind) {
    case 'hello':
    case 'saveLog':
      return { ok: true, value: { kind } };
    case 'inspect': {
      const { group, direction } = value;
      for (const [key, v] of [
        ['group', group],
        ['direction', direction],
      ] as const) {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_INDEX) {
          return {
            ok: false,
            error: `inspect: ${key} must be an integer in [0, ${MAX_INDEX}], got ${describe(v)}`,
          };
        }
      }
      return { ok: true, value: { kind, group: group as number, direction: direction as number } };
    }
    case 'command': {
      const command = value.command;
      if (typeof command !== 'string' || !RUN_COMMANDS.includes(command as RunCommand)) {
        return {
          ok: false,
          error: `command must be one of ${RUN_COMMANDS.join(', ')}; got ${describe(command)}`,
        };
      }
      return { ok: true, value: { kind, command: command as RunCommand } };
    }
    case 'loadDefinition':
    case 'openLog': {
      const maxText = kind === 'loadDefinition' ? MAX_DEFINITION_TEXT : MAX_LOG_TEXT;
      const error =
        checkOptionalString(value, 'path', MAX_PATH) ??
        checkOptionalString(value, 'text', maxText) ??
        checkOptionalString(value, 'name', MAX_NAME);
      if (error) return { ok: false, error: `${kind}: ${error}` };
      const { path, text, name } = value as { path?: string; text?: string; name?: string };
      if (path === undefined && text === undefined) {
        return { ok: false, error: `${kind} needs a path or a text` };
      }
      if (path !== undefined && text !== undefined) {
        return { ok: false, error: `${kind} takes a path or a text, not both` };
      }
      if (path !== undefined && (path === '' || path.includes('\0'))) {
        return { ok: false, error: `${kind}: path is empty or contains a NUL character` };
      }
      // Copy only the known fields: nothing else from the renderer reaches main's logic.
      const fields: { path?: string; text?: string; name?: string } = {};
      if (path !== undefined) fields.path = path;
      if (text !== undefined) fields.text = text;
      if (name !== undefined) fields.name = name;
      return { ok: true, value: { kind, ...fields } };
    }
    default:
      return { ok: false, error: `unknown request kind ${describe(kind)}` };
  }
}
