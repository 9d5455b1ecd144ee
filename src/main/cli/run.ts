// Dispatch of the CLI's subcommands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../host/paths';
import { UsageError } from './args';
import { MAIN_HELP } from './help';
import { serve } from './serve';
import { train } from './train';

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await train(rest);
      case 'serve':
        return await serve(rest);
      case 'curvature': {
        // Loaded on demand: it brings in the curvature engine and tfjs.
        const { curvature } = await import('./curvature');
        return await curvature(rest);
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(MAIN_HELP + '\n');
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v': {
        const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
          version: string;
        };
        process.stdout.write(`vivit-monitor ${manifest.version}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help =
      command && ['train', 'serve', 'curvature'].includes(command)
        ? `vivit-monitor ${command} --help`
        : 'vivit-monitor --help';
    process.stderr.write(`vivit-monitor: ${error.message}\n(see ${help})\n`);
    return 2;
  }
}
