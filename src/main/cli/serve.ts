// `vivit-monitor serve`: the web host for a browser, until Ctrl-C.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue } from '../../protocol/definition';
import { HostCore } from '../host/host-core';
import { defaultExamplePath, rendererDir } from '../host/paths';
import { startWebHost } from '../web/server';
import { parseCommandArgs, parseInteger, UsageError } from './args';
import { SERVE_HELP } from './help';

export async function serve(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    port: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP + '\n');
    return 0;
  }
  if (positionals.length > 1)
    throw new UsageError(`serve takes at most one definition file, got ${positionals.length}`);
  const port = parseInteger(values.port, '--port', 0);
  if (port !== undefined && port > 65535)
    throw new UsageError(`--port must be at most 65535, got ${port}`);
  if (!existsSync(join(rendererDir(), 'index.html'))) {
    process.stderr.write(
      `warning: the renderer is not built (${rendererDir()} is missing): run npm run build\n`,
    );
  }

  const core = new HostCore();
  const definitionFile =
    positionals[0] ?? (existsSync(defaultExamplePath()) ? defaultExamplePath() : undefined);
  if (definitionFile) {
    const info = await core.loadDefinitionFile(definitionFile);
    for (const issue of info?.issues ?? [])
      process.stderr.write(`warning: ${formatIssue(issue, definitionFile)}\n`);
  }
  core.subscribe((event) => {
    if (event.kind === 'notice' && event.level !== 'info')
      process.stderr.write(`${event.level}: ${event.message}\n`);
    if (event.kind === 'session' && event.logPath)
      process.stdout.write(`session log: ${event.logPath}\n`);
  });

  let host;
  try {
    host = await startWebHost({ core, ...(port !== undefined && { port }) });
  } catch (error) {
    await core.dispose();
    process.stderr.write(`vivit-monitor serve: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `ViViT Monitor is serving on ${host.url}\n(open it in a browser; Ctrl-C stops the server)\n`,
  );

  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  process.stdout.write('stopping\n');
  await host.close();
  await core.shutdown();
  return 0;
}
