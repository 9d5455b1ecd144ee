// Content-Security-Policy for the renderer page, in Electron and in the browser. The renderer's
// own scripts only: no inline or eval'd script, no remote anything, no framing, no forms.
// Inline styles stay allowed because the chart library positions elements with them.
export function rendererCsp(connectSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${connectSources.map((s) => ' ' + s).join('')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
