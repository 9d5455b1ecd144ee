export function findElectronBinary():
  { path: string; reason?: undefined } | { path?: undefined; reason: string };
