// What the UI can ask of the host, behind one injectable object (tests provide their own).
import type { InjectionKey } from 'vue';
import type { HostRequest, RunCommand } from '../../protocol/host';
import type { Transport } from './transport/types';

export interface AppActions {
  command(command: RunCommand): void;
  loadExample(path: string): void;
  loadDefinitionFile(file: File): Promise<void>;
  openLogFile(file: File): Promise<void>;
  saveLog(): Promise<void>;
  /** While paused: per-sample detail of direction k of a parameter group (the inspector). */
  inspect(group: number, direction: number): void;
}

export const ACTIONS_KEY: InjectionKey<AppActions> = Symbol('vivit-actions');

type Notify = (level: 'info' | 'warning' | 'error', message: string) => void;

export function createActions(transport: Transport, notify: Notify): AppActions {
  const send = (request: HostRequest): void => {
    if (!transport.send(request)) {
      notify('warning', 'Not connected to the host — try again once the connection is back.');
    }
  };
  const readFile = async (file: File, what: string): Promise<string | undefined> => {
    try {
      return await file.text();
    } catch (error) {
      notify('error', `Could not read ${what} ${file.name}: ${(error as Error).message}`);
      return undefined;
    }
  };
  return {
    command: (command) => send({ kind: 'command', command }),
    inspect: (group, direction) => send({ kind: 'inspect', group, direction }),
    loadExample: (path) => send({ kind: 'loadDefinition', path }),
    async loadDefinitionFile(file) {
      const text = await readFile(file, 'the definition');
      if (text !== undefined) send({ kind: 'loadDefinition', text, name: file.name });
    },
    async openLogFile(file) {
      const text = await readFile(file, 'the log');
      if (text !== undefined) send({ kind: 'openLog', text, name: file.name });
    },
    async saveLog() {
      try {
        await transport.saveLog();
      } catch (error) {
        notify('error', (error as Error).message);
      }
    },
  };
}
