// Model files through the host and the real training worker: a broken file is an issue on
// load (the host stays up), a file broken after loading stops the start with a message (the
// worker stays up and runs the next start), and a good one trains from the file's weights.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCore } from '../../src/main/host/host-core';
import { parseLog } from '../../src/protocol/log-codec';
import { encodeModel, lcgValues, node } from '../fixtures/onnx/builder';
import { EventLog, tempDir } from './helpers';

const fixtures = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

const definition = (model: string) => `name: onnx host test
data: { source: synthetic, features: 20, outputs: 10, train_size: 64, test_size: 16 }
model: { onnx: ${model} }
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 16
steps: 3
eval: { every: 3 }
`;

describe('model files through the host and the real worker', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let events: EventLog;

  beforeAll(() => {
    dir = tempDir();
    core = new HostCore({ sessionsDir: join(dir.path, 'sessions'), flushIntervalMs: 50 });
    events = new EventLog();
    core.subscribe(events.listener);
  });
  afterAll(async () => {
    await core.dispose();
    dir.remove();
  });

  it('a truncated ONNX file is an issue on load, naming the file', async () => {
    writeFileSync(
      join(dir.path, 'broken.onnx'),
      readFileSync(join(fixtures, 'mlp.onnx')).subarray(0, 300),
    );
    writeFileSync(join(dir.path, 'broken.yaml'), definition('broken.onnx'));
    const info = await core.loadDefinitionFile(join(dir.path, 'broken.yaml'));
    expect(info?.definition).toBeUndefined();
    expect(info?.issues).toHaveLength(1);
    expect(info?.issues[0]).toMatchObject({ path: 'model.onnx', line: 3 });
    expect(info?.issues[0].message).toMatch(/^broken\.onnx: not a readable ONNX model/);
  });

  it('a file broken after loading stops the start with a message; the next start runs', async () => {
    copyFileSync(join(fixtures, 'mlp.onnx'), join(dir.path, 'model.onnx'));
    writeFileSync(join(dir.path, 'run.yaml'), definition('model.onnx'));
    const info = await core.loadDefinitionFile(join(dir.path, 'run.yaml'));
    expect(info?.issues).toEqual([]);

    writeFileSync(join(dir.path, 'model.onnx'), 'not a model any more');
    events.clear();
    expect(core.start()).toBe(true);
    const failed = await events.waitFor('state', (e) => e.state === 'error');
    expect(failed).toMatchObject({ state: 'error' });
    expect(JSON.stringify(failed)).toMatch(/cannot start the run: model\.onnx: /);

    copyFileSync(join(fixtures, 'mlp.onnx'), join(dir.path, 'model.onnx'));
    events.clear();
    expect(core.start()).toBe(true);
    const session = await events.waitFor('session');
    await events.waitFor('state', (e) => e.state === 'finished');
    const log = parseLog(readFileSync(session.logPath!, 'utf8'));
    expect(log.problems).toEqual([]);
    expect(log.header?.definition.model_file).toEqual({ format: 'onnx', path: 'model.onnx' });
    expect(log.records.filter((r) => r.type === 'step')).toHaveLength(3);
  });

  it('the run starts from the file\u2019s weights: zero logits give a first loss of ln 10', async () => {
    // fc2 all zero: every logit is 0 whatever the input, so the first step's loss (measured
    // before its update) is ln 10 exactly; PyTorch-default initial weights would not give it.
    const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };
    const bytes = encodeModel({
      nodes: [
        node('Gemm', '/fc1/Gemm', ['input', 'fc1.weight', 'fc1.bias'], ['h'], gemm),
        node('Relu', '/act/Relu', ['h'], ['r']),
        node('Gemm', '/fc2/Gemm', ['r', 'fc2.weight', 'fc2.bias'], ['logits'], gemm),
      ],
      initializers: [
        { name: 'fc1.weight', dims: [16, 20], values: lcgValues(320, 1) },
        { name: 'fc1.bias', dims: [16], values: lcgValues(16, 2) },
        { name: 'fc2.weight', dims: [10, 16], values: new Array<number>(160).fill(0) },
        { name: 'fc2.bias', dims: [10], values: new Array<number>(10).fill(0) },
      ],
      inputs: [{ name: 'input', dims: ['batch', 20] }],
      outputs: [{ name: 'logits', dims: ['batch', 10] }],
    });
    writeFileSync(join(dir.path, 'zero.onnx'), bytes);
    writeFileSync(join(dir.path, 'zero.yaml'), definition('zero.onnx'));
    expect((await core.loadDefinitionFile(join(dir.path, 'zero.yaml')))?.issues).toEqual([]);
    events.clear();
    expect(core.start()).toBe(true);
    await events.waitFor('state', (e) => e.state === 'finished');
    const first = events.records().find((r) => r.type === 'step');
    expect(first?.type === 'step' && first.loss).toBeCloseTo(Math.log(10), 6);
  });
});
