// Sandboxed preload: exposes `window.vivit` (VivitBridge) and nothing else. The page never gets
// ipcRenderer itself, only these two functions; main validates every request again.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { HostEvent, HostRequest, VivitBridge } from '../protocol/host';
import { IPC_CHANNELS } from '../protocol/ipc';

const bridge: VivitBridge = {
  send(request: HostRequest): void {
    ipcRenderer.send(IPC_CHANNELS.request, request);
  },
  onEvent(listener: (event: HostEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, hostEvent: HostEvent): void => listener(hostEvent);
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
    };
  },
};

contextBridge.exposeInMainWorld('vivit', bridge);
