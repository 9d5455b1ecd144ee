// The preload's API on `window.vivit` (declared with the protocol).
export type { VivitBridge } from '../../protocol/host';
