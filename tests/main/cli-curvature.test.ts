// `vivit-monitor curvature` as a user runs it: a separate process (the TypeScript source through
// tsx, like tests/main/cli.test.ts; and the built out/main/cli.js when the build has the
// command), real case files, real result files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';
import {
  columnsErr,
  examplePath,
  readExample,
  scalarErr,
  vecErr,
  vectorsErr,
} from '../vivit/interop/helpers';
import type { CurvatureResultJson } from '../../src/vivit/interop/result';

const root = process.cwd();
const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
const sourceCli = ['--import', tsxLoader, join(root, 'src/main/cli.ts')];
const builtCli = join(root, 'out/main/cli.js');

/** The build has the curvature command (an older build only reserved the name). */
function builtHasCurvature(): boolean {
  if (!existsSync(builtCli)) return false;
  const dir = join(root, 'out/main');
  const files = [builtCli, ...readdirSync(join(dir, 'chunks')).map((f) => join(dir, 'chunks', f))];
  return files.some(
    (f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes('curvature needs a case file'),
  );
}

/** Worst relative error of a result against an expected one, per the format's parts. */
function worstError(got: CurvatureResultJson, expected: CurvatureResultJson): number {
  const errors = [
    scalarErr(got.loss, expected.loss),
    vecErr(got.gradient, expected.gradient),
    vecErr(got.newton_step, expected.newton_step),
  ];
  expect(got.groups.length).toBe(expected.groups.length);
  expected.groups.forEach((e, i) => {
    const g = got.groups[i];
    expect(g.param_indices).toEqual(e.param_indices);
    expect(g.eigvals.length).toBe(e.eigvals.length);
    errors.push(
      vecErr(g.eigvals, e.eigvals),
      vectorsErr(g.eigvecs_top, e.eigvecs_top),
      columnsErr(g.gammas, e.gammas),
      columnsErr(g.lambdas, e.lambdas),
      vecErr(g.newton_step, e.newton_step),
    );
  });
  return Math.max(...errors);
}

describe('vivit-monitor curvature', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('vivit-curv-cli-');
  });
  afterEach(() => dir.remove());

  const run = (args: string[], cli = sourceCli) =>
    spawnSync(process.execPath, [...cli, ...args], {
      cwd: dir.path,
      env: { ...process.env, VIVIT_MONITOR_HOME: join(dir.path, 'home') },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('computes a shared example into --out, matching the expected file to 1e-8', () => {
    const out = join(dir.path, 'results', 'a.json');
    const result = run(['curvature', examplePath('a_mlp_sigmoid_mse.case.json'), '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^loss 1\.3895; 74 parameters, 4 samples, float64\n/);
    expect(result.stderr).toContain(
      'group 0 (params 0, 1, 2, 3, 4, 5): K = 12, largest eigenvalue 1.4840',
    );
    expect(result.stderr).toMatch(/computed in \d+\.\d\d s\nresult: .*a\.json\n$/);
    const got = JSON.parse(readFileSync(out, 'utf8')) as CurvatureResultJson;
    const expected = readExample<CurvatureResultJson>('a_mlp_sigmoid_mse.expected.json');
    expect(worstError(got, expected)).toBeLessThan(1e-8);
    expect(readdirSync(join(dir.path, 'results'))).toEqual(['a.json']); // no partial file left
  });

  it('writes to stdout without --out', () => {
    const result = run(['curvature', examplePath('a_mlp_sigmoid_mse.case.json')]);
    expect(result.status).toBe(0);
    const got = JSON.parse(result.stdout) as CurvatureResultJson;
    expect(got.groups[0].eigvals).toHaveLength(12);
  });

  it('runs a float32 case on the chosen tfjs backend', () => {
    const c = readExample<Record<string, unknown>>('b_mlp_relu_ce.case.json');
    writeFileSync(join(dir.path, 'b32.json'), JSON.stringify({ ...c, dtype: 'float32' }));
    const result = run(['curvature', 'b32.json', '--out', 'b32.result.json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      /^loss 2\.3169; 506 parameters, 8 samples, float32 on tfjs (wasm|cpu)\n/,
    );
    const got = JSON.parse(
      readFileSync(join(dir.path, 'b32.result.json'), 'utf8'),
    ) as CurvatureResultJson;
    const expected = readExample<CurvatureResultJson>('b_mlp_relu_ce.expected.json');
    // float32 precision (the engine tests check every part at float32 tolerances).
    expect(vecErr(got.groups[0].eigvals, expected.groups[0].eigvals)).toBeLessThan(1e-5);
    expect(vecErr(got.newton_step, expected.newton_step)).toBeLessThan(1e-4);
  });

  it('names a missing file, a JSON syntax error with line and column, and bad fields; exit 2', () => {
    const missing = run(['curvature', 'nope.json']);
    expect(missing).toMatchObject({
      status: 2,
      stdout: '',
      stderr: `nope.json: cannot read ${join(dir.path, 'nope.json')}: file not found\n`,
    });

    writeFileSync(
      join(dir.path, 'broken.json'),
      '{\n  "model": [\n    {"type": "relu"},\n  ]\n}\n',
    );
    expect(run(['curvature', 'broken.json'])).toMatchObject({
      status: 2,
      stderr: "broken.json:4: JSON syntax error at column 3: trailing comma before ']'\n",
    });

    const c = readExample<Record<string, unknown> & { params: { shape: number[] }[] }>(
      'a_mlp_sigmoid_mse.case.json',
    );
    c.params[2].shape = [5, 4];
    (c.model as Record<string, unknown>[])[1] = { type: 'swish' };
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify(c));
    const bad = run(['curvature', 'bad.json', '--out', 'r.json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      [
        "bad.json: model[1].type: unknown layer 'swish'; supported: linear, conv2d, maxpool2d, avgpool2d, zeropad2d, relu, sigmoid, tanh, flatten, identity, leaky_relu, elu",
        'bad.json: 1 problem; nothing was computed.',
        '',
      ].join('\n'),
    );
    (c.model as Record<string, unknown>[])[1] = { type: 'sigmoid' };
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify(c));
    expect(run(['curvature', 'bad.json', '--out', 'r.json'])).toMatchObject({
      status: 2,
      stderr:
        'bad.json: params[2].shape: [5, 4] does not match linear model[2] weight [4, 5] (PyTorch layout)\nbad.json: 1 problem; nothing was computed.\n',
    });
    expect(existsSync(join(dir.path, 'r.json'))).toBe(false);
  });

  it('explains bad arguments and offers help', () => {
    expect(run(['curvature'])).toMatchObject({
      status: 2,
      stderr:
        'vivit-monitor: curvature needs a case file (.json)\n(see vivit-monitor curvature --help)\n',
    });
    expect(run(['curvature', 'a.json', '--outt', 'x'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("Unknown option '--outt'"),
    });
    expect(run(['curvature', '--help'])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(
        'Usage: vivit-monitor curvature <case.json> [--out <result.json>]',
      ),
    });
  });

  it.skipIf(!builtHasCurvature())('works in the built CLI (out/main/cli.js)', () => {
    const out = join(dir.path, 'b.json');
    const result = run(
      ['curvature', examplePath('b_mlp_relu_ce.case.json'), '--out', out],
      [builtCli],
    );
    expect(result.stderr).toContain('K = 72');
    expect(result.status).toBe(0);
    const got = JSON.parse(readFileSync(out, 'utf8')) as CurvatureResultJson;
    expect(worstError(got, readExample('b_mlp_relu_ce.expected.json'))).toBeLessThan(1e-8);
  });
});
