// Connection status, the host's status line and transient notices (toasts).
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ConnectionStatus } from '../transport/types';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** How long an info/warning toast stays; errors stay until dismissed. */
export const NOTICE_TTL_MS = { info: 5000, warning: 9000 } as const;

export const useUiStore = defineStore('ui', () => {
  const connection = shallowRef<ConnectionStatus>({ phase: 'connecting' });
  const status = ref<string | undefined>();
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function notify(level: Notice['level'], message: string): number {
    const id = nextId++;
    notices.value = [...notices.value.filter((n) => n.message !== message), { id, level, message }];
    if (level !== 'error') setTimeout(() => dismiss(id), NOTICE_TTL_MS[level]);
    return id;
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function setConnection(next: ConnectionStatus): void {
    connection.value = next;
  }

  function setStatus(message: string | undefined): void {
    status.value = message;
  }

  return { connection, status, notices, notify, dismiss, setConnection, setStatus };
});
