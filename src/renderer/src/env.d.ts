/// <reference types="vite/client" />
import type { VivitBridge } from './bridge';
import type { VivitDebug } from './debug';

declare global {
  interface Window {
    /** Present only inside Electron (exposed by the preload). */
    vivit?: VivitBridge;
    /** Read-only view of what the charts hold, for browser tests and bug reports. */
    __vivitDebug?: VivitDebug;
  }
}

export {};
