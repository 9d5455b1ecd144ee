// Picks the transport: Electron when the preload exposed `window.vivit`, else the web host.
import { ElectronTransport } from './electron';
import type { Transport } from './types';
import { WebTransport } from './web';

export type { ConnectionStatus, Transport } from './types';

export function createTransport(win: Window = window): Transport {
  if (win.vivit) return new ElectronTransport(win.vivit);
  return new WebTransport({
    location: win.location,
    storage: safeSessionStorage(win),
    history: win.history,
  });
}

function safeSessionStorage(win: Window): Storage | undefined {
  try {
    return win.sessionStorage;
  } catch {
    return undefined; // access throws when storage is disabled
  }
}
