// Dispatch of the CLI's subcommands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../host/paths';
import { UsageError } from './args';
import { CURVATURE_HELP, MAIN_HELP } from './help';
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
      case 'curvature':
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(CURVATURE_HELP + '\n');
          return 0;
        }
        process.stderr.write(
          'vivit-monitor curvature is reserved for a future version and not available yet.\n',
        );
        return 2;
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
      command && ['train', 'serve'].includes(command)
        ? `vivit-monitor ${command} --help`
        : 'vivit-monitor --help';
    process.stderr.write(`vivit-monitor: ${error.message}\n(see ${help})\n`);
    return 2;
  }
}
