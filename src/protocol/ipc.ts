// IPC channel names shared by the preload and Electron main (bundled into both).
export const IPC_CHANNELS = {
  /** renderer -> main: one HostRequest */
  request: 'vivit:request',
  /** main -> renderer: one HostEvent */
  event: 'vivit:event',
} as const;
