// Electron main: one window on the host core. Thin on purpose: the work is in host/, this file
// adds the window, its security settings, the app:// protocol, menus, dialogs and IPC.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  type MenuItemConstructorOptions,
} from 'electron';
import type { HostEvent } from '../protocol/host';
import { validateHostRequest } from '../protocol/validate';
import { IPC_CHANNELS } from '../protocol/ipc';
import { HostCore } from './host/host-core';
import { defaultExamplePath, packageRoot, rendererDir } from './host/paths';
import { rendererCsp } from './web/csp';
import { contentTypeFor, resolveStaticPath } from './web/static-files';

/** The renderer is served from app://renderer/ so that it gets real response headers (CSP). */
const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://renderer`;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const core = new HostCore();
let mainWindow: BrowserWindow | undefined;

async function serveRendererFile(request: Request): Promise<Response> {
  const file = resolveStaticPath(rendererDir(), new URL(request.url).pathname);
  if (!file) return new Response('bad path', { status: 400 });
  try {
    const body = await readFile(file);
    const headers: Record<string, string> = { 'Content-Type': contentTypeFor(file) };
    if (file.endsWith('.html')) headers['Content-Security-Policy'] = rendererCsp();
    return new Response(body, { headers });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function send(event: HostEvent): void {
  if (mainWindow && !mainWindow.isDestroyed())
    mainWindow.webContents.send(IPC_CHANNELS.event, event);
}

function showError(title: string, error: unknown): void {
  core.announce('error', `${title}: ${(error as Error).message ?? String(error)}`);
}

async function openDefinitionDialog(): Promise<void> {
  const result = await dialog.showOpenDialog({
    title: 'Open Run Definition',
    properties: ['openFile'],
    filters: [{ name: 'Run definitions', extensions: ['yaml', 'yml', 'json'] }],
  });
  if (!result.canceled && result.filePaths[0]) await core.loadDefinitionFile(result.filePaths[0]);
}

async function openLogDialog(): Promise<void> {
  const result = await dialog.showOpenDialog({
    title: 'Open Session Log',
    properties: ['openFile'],
    filters: [{ name: 'Session logs', extensions: ['jsonl', 'log', 'txt'] }],
  });
  if (!result.canceled && result.filePaths[0]) core.openLogFile(result.filePaths[0]);
}

async function saveLogDialog(): Promise<void> {
  const current = core.currentLogPath;
  const result = await dialog.showSaveDialog({
    title: 'Save Session Log As',
    ...(current && { defaultPath: basename(current) }),
    filters: [{ name: 'Session logs', extensions: ['jsonl'] }],
  });
  if (result.canceled || !result.filePath) return;
  try {
    const saved = core.saveLogAs(result.filePath);
    core.announce('info', `Saved the session log to ${saved}`);
  } catch (error) {
    showError('Saving the log failed', error);
  }
}

function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  const run = (action: () => Promise<void>) => () =>
    void action().catch((e: unknown) => showError('Failed', e));
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Definition…', accelerator: 'CmdOrCtrl+O', click: run(openDefinitionDialog) },
        { label: 'Open Log…', accelerator: 'CmdOrCtrl+Shift+O', click: run(openLogDialog) },
        { label: 'Save Log As…', accelerator: 'CmdOrCtrl+Shift+S', click: run(saveLogDialog) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'ViViT Monitor',
    show: false,
    webPreferences: {
      preload: join(packageRoot(), 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

// Every web contents: no navigation away from the app, no new windows, no webviews.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

ipcMain.on(IPC_CHANNELS.request, (event, raw: unknown) => {
  // Only our own page may talk to the host.
  if (!mainWindow || event.sender !== mainWindow.webContents) return;
  if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) return;
  const reply = (hostEvent: HostEvent): void => {
    if (!event.sender.isDestroyed()) event.sender.send(IPC_CHANNELS.event, hostEvent);
  };
  const checked = validateHostRequest(raw);
  if (!checked.ok) {
    reply({
      kind: 'notice',
      level: 'error',
      message: `The host refused a request: ${checked.error}`,
    });
    return;
  }
  if (checked.value.kind === 'saveLog') {
    void saveLogDialog();
    return;
  }
  core.handle(checked.value, reply).catch((error: unknown) => showError('The host failed', error));
});

app.on('window-all-closed', () => app.quit());
// Quitting mid-run: stop the run first so its log ends with a 'stopped' record, then quit.
let shutDown = false;
app.on('will-quit', (event) => {
  if (shutDown) return;
  event.preventDefault();
  void core.shutdown().finally(() => {
    shutDown = true;
    app.quit();
  });
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  protocol.handle(APP_SCHEME, serveRendererFile);
  Menu.setApplicationMenu(buildMenu());
  core.subscribe(send);
  // The app opens with the bundled MNIST MLP loaded, ready to start.
  if (existsSync(defaultExamplePath())) await core.loadDefinitionFile(defaultExamplePath());
  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = undefined));
});
