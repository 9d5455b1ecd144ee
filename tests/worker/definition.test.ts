import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, type DefinitionIssue } from '../../src/protocol/definition';
import { loadDefinitionFile, parseDefinition } from '../../src/worker/definition';
import { encodeIdx } from '../../src/worker/data/idx';

const EXAMPLES = resolve(__dirname, '../../resources/examples');

/** A valid MNIST MLP definition; tests change one thing at a time. */
const BASE = `name: test
data:
  source: mnist
model:
  - type: flatten
  - type: linear
    in: 784
    out: 10
loss: cross_entropy
optimizer:
  type: sgd
  lr: 0.1
batch_size: 32
steps: 10
`;

function issuesOf(text: string, file = 'run.yaml'): DefinitionIssue[] {
  return parseDefinition(text, file).issues;
}

function only(issues: DefinitionIssue[]): DefinitionIssue {
  expect(issues, JSON.stringify(issues)).toHaveLength(1);
  return issues[0];
}

describe('run definitions: valid files and defaults', () => {
  it('accepts the base definition and fills every default', () => {
    const { definition, issues } = parseDefinition(BASE, '/somewhere/run.yaml');
    expect(issues).toEqual([]);
    expect(definition).toEqual({
      name: 'test',
      seed: 0,
      data: { source: 'mnist', normalize: 'standard' },
      model: [{ type: 'flatten' }, { type: 'linear', in: 784, out: 10, bias: true }],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, nesterov: false },
      batch_size: 32,
      steps: 10,
      eval: { every: 100 },
    });
  });

  it('fills layer and optimizer defaults the way PyTorch does', () => {
    const text = `data: {source: mnist}
model:
  - {type: conv2d, in_channels: 1, out_channels: 2, kernel_size: 3}
  - {type: maxpool2d, kernel_size: 2}
  - {type: avgpool2d, kernel_size: [2, 1], padding: [1, 0]}
  - leaky_relu
  - elu
  - dropout
  - {type: zeropad2d, padding: 1}
  - flatten
  - {type: linear, in: 270, out: 10, bias: false}  # [2,26,26] [2,13,13] [2,7,13] [2,9,15] -> 270
loss: cross_entropy
optimizer: {type: adam}
batch_size: 8
epochs: 2
`;
    const { definition, issues } = parseDefinition(text, 'cnn.yaml');
    expect(issues).toEqual([]);
    expect(definition?.name).toBe('cnn'); // from the file name
    expect(definition?.model).toEqual([
      {
        type: 'conv2d',
        in_channels: 1,
        out_channels: 2,
        kernel_size: 3,
        stride: 1,
        padding: 0,
        bias: true,
      },
      { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
      { type: 'avgpool2d', kernel_size: [2, 1], stride: [2, 1], padding: [1, 0] },
      { type: 'leaky_relu', negative_slope: 0.01 },
      { type: 'elu', alpha: 1 },
      { type: 'dropout', p: 0.5 },
      { type: 'zeropad2d', padding: [1, 1, 1, 1] },
      { type: 'flatten' },
      { type: 'linear', in: 270, out: 10, bias: false },
    ]);
    expect(definition?.optimizer).toEqual({
      type: 'adam',
      lr: 0.001,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0,
    });
    expect(definition?.epochs).toBe(2);
    expect(definition?.steps).toBeUndefined();
  });

  it('keeps steps and drops epochs when both are given', () => {
    const { definition } = parseDefinition(BASE + 'epochs: 3\n', 'run.yaml');
    expect(definition?.steps).toBe(10);
    expect(definition?.epochs).toBeUndefined();
  });

  it('fills synthetic data defaults', () => {
    const text = BASE.replace(
      'source: mnist',
      'source: synthetic\n  task: regression\n  features: 784\n  outputs: 10',
    ).replace('cross_entropy', 'mse');
    const { definition, issues } = parseDefinition(text, 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition?.data).toEqual({
      source: 'synthetic',
      task: 'regression',
      features: 784,
      outputs: 10,
      train_size: 1024,
      test_size: 256,
      noise: 0.1,
      normalize: 'standard',
    });
  });

  it('accepts the same definition as JSON', () => {
    const json = JSON.stringify(
      {
        data: { source: 'mnist', normalize: { mean: 0.1307, std: 0.3081 } },
        model: [{ type: 'flatten' }, { type: 'linear', in: 784, out: 10 }],
        loss: 'cross_entropy',
        optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
        batch_size: 32,
        steps: 5,
        eval: { every: 5, samples: 100 },
      },
      null,
      2,
    );
    const { definition, issues } = parseDefinition(json, 'run.json');
    expect(issues).toEqual([]);
    expect(definition?.data).toEqual({ source: 'mnist', normalize: { mean: 0.1307, std: 0.3081 } });
    expect(definition?.eval).toEqual({ every: 5, samples: 100 });
  });

  it.each(['mnist-mlp.yaml', 'mnist-cnn.yaml', 'synthetic-regression.yaml'])(
    'the example %s is valid',
    async (file) => {
      const { definition, issues } = await loadDefinitionFile(join(EXAMPLES, file));
      expect(issues.map((i) => formatIssue(i, file))).toEqual([]);
      expect(definition?.model.length).toBeGreaterThan(2);
    },
  );

  it('the MLP example is 784-128-64-10 with SGD momentum, batch 128, eval every 50 on 1000', async () => {
    const { definition } = await loadDefinitionFile(join(EXAMPLES, 'mnist-mlp.yaml'));
    const linear = definition!.model.filter((l) => l.type === 'linear');
    expect(linear.map((l) => [l.in, l.out])).toEqual([
      [784, 128],
      [128, 64],
      [64, 10],
    ]);
    expect(definition!.optimizer).toMatchObject({ type: 'sgd', momentum: 0.9 });
    expect(definition!.batch_size).toBe(128);
    expect(definition!.eval).toEqual({ every: 50, samples: 1000 });
  });
});

describe('run definitions: issues point at field and line', () => {
  it('suggests the intended name for an unknown field, with its line', () => {
    const text = BASE.replace('  lr: 0.1', '  lerning_rate: 0.1');
    const issues = issuesOf(text);
    const unknown = issues.find((i) => i.path === 'optimizer.lerning_rate');
    expect(unknown).toEqual({
      path: 'optimizer.lerning_rate',
      message: "unknown field 'lerning_rate'; did you mean 'lr'?",
      line: 12,
    });
    // ... and lr itself is now missing, reported at the optimizer's line.
    expect(issues.find((i) => i.path === 'optimizer.lr')).toMatchObject({
      message: expect.stringContaining("missing required field 'lr'"),
      line: 10,
    });
    expect(formatIssue(unknown!, 'run.yaml')).toBe(
      "run.yaml:12: optimizer.lerning_rate: unknown field 'lerning_rate'; did you mean 'lr'?",
    );
  });

  it('lists the allowed fields when nothing is close', () => {
    const issue = only(issuesOf(BASE + 'colour: blue\n'));
    expect(issue.path).toBe('colour');
    expect(issue.line).toBe(15);
    expect(issue.message).toMatch(/^unknown field 'colour'; allowed here: name, seed, data, model/);
  });

  it('reports wrong types and out-of-range values, all at once', () => {
    const text = BASE.replace('lr: 0.1', "lr: '0.1'")
      .replace('batch_size: 32', 'batch_size: 12.5')
      .replace('steps: 10', 'steps: 0')
      .replace('    out: 10', '    out: 10\n    bias: yes please');
    const issues = issuesOf(text);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['optimizer.lr']).toEqual({
      path: 'optimizer.lr',
      message: "expected a number > 0, got a string ('0.1')",
      line: 13,
    });
    expect(byPath['batch_size'].message).toBe('must be an integer >= 1, got 12.5');
    expect(byPath['steps'].message).toBe('must be an integer >= 1, got 0');
    expect(byPath['model[1].bias'].message).toBe(
      "expected true or false, got a string ('yes please')",
    );
    expect(issues).toHaveLength(4);
  });

  it('checks ranges of probabilities, rates and momentum', () => {
    const text = BASE.replace(
      '  - type: flatten',
      '  - type: flatten\n  - {type: dropout, p: 1}',
    ).replace('lr: 0.1', 'lr: -1\n  momentum: 1.5');
    const byPath = Object.fromEntries(issuesOf(text).map((i) => [i.path, i.message]));
    expect(byPath['model[1].p']).toBe('must be a number in [0, 1), got 1');
    expect(byPath['optimizer.lr']).toBe('must be a number > 0, got -1');
    expect(byPath['optimizer.momentum']).toBe('must be a number in [0, 1), got 1.5');
  });

  it('reports missing required fields', () => {
    const issues = issuesOf('name: empty-ish\nseed: 3\n');
    expect(issues.map((i) => i.path).sort()).toEqual([
      'batch_size',
      'data',
      'loss',
      'model',
      'optimizer',
      'steps',
    ]);
    expect(issues.find((i) => i.path === 'steps')?.message).toBe(
      "missing 'steps' (optimizer steps) or 'epochs' (passes over the training data)",
    );
  });

  it('names unknown layer, loss and optimizer types and lists the allowed ones', () => {
    const text = BASE.replace('  - type: linear', '  - type: dense')
      .replace('loss: cross_entropy', 'loss: crossentropy')
      .replace('type: sgd', 'type: rmsprop');
    const byPath = Object.fromEntries(issuesOf(text).map((i) => [i.path, i]));
    expect(byPath['model[1].type']).toEqual({
      path: 'model[1].type',
      message:
        "unknown layer type 'dense'; did you mean 'linear'? Allowed: linear, conv2d, maxpool2d, avgpool2d, zeropad2d, relu, sigmoid, tanh, flatten, identity, leaky_relu, elu, dropout",
      line: 6,
    });
    expect(byPath['loss'].message).toBe(
      "unknown loss 'crossentropy'; did you mean 'cross_entropy'? Allowed: cross_entropy, mse",
    );
    expect(byPath['optimizer.type'].message).toBe(
      "unknown optimizer 'rmsprop'. Allowed: sgd, adam, damped_newton",
    );
  });

  it('reports a broken shape chain at the layer field, with the exact message', () => {
    const text = BASE.replace(
      '  - type: flatten\n  - type: linear\n    in: 784',
      '  - {type: conv2d, in_channels: 1, out_channels: 1, kernel_size: 3, padding: 1}\n  - relu\n  - flatten\n  - type: linear\n    in: 100',
    );
    const issue = only(issuesOf(text));
    expect(issue.path).toBe('model[3].in');
    expect(issue.message).toBe(
      '100 does not match the 784 features coming out of model[2] (flatten)',
    );
    expect(issue.line).toBe(9);
    expect(formatIssue(issue)).toBe(
      '9: model[3].in: 100 does not match the 784 features coming out of model[2] (flatten)',
    );
  });

  it('checks the final output size against the classes', () => {
    const issue = only(issuesOf(BASE.replace('    out: 10', '    out: 12')));
    expect(issue.path).toBe('model[1].out');
    expect(issue.message).toBe(
      'the model ends with 12 outputs, but cross_entropy needs 10 outputs, one per class of MNIST',
    );
  });

  it('asks for a flat output when the model ends in an image', () => {
    const text = BASE.replace(
      '  - type: flatten\n  - type: linear\n    in: 784\n    out: 10',
      '  - {type: conv2d, in_channels: 1, out_channels: 10, kernel_size: 28}\n  - relu',
    );
    const issue = only(issuesOf(text));
    expect(issue.path).toBe('model[1]');
    expect(issue.message).toMatch(
      /^the model's output has shape \[10, 1, 1\] per sample, but cross_entropy needs 10 outputs/,
    );
  });

  it('rejects cross_entropy on regression data and explains the fix', () => {
    const text = BASE.replace(
      'source: mnist',
      'source: synthetic\n  task: regression\n  features: 784\n  outputs: 10',
    );
    const issue = only(issuesOf(text));
    expect(issue.path).toBe('loss');
    expect(issue.message).toBe(
      'cross_entropy needs class labels, but synthetic regression data has real-valued targets; use loss: mse (or data.task: classification)',
    );
  });

  it('allows mse on class labels (one-hot targets) and checks the output size as classes', () => {
    expect(issuesOf(BASE.replace('loss: cross_entropy', 'loss: mse'))).toEqual([]);
    const issue = only(
      issuesOf(
        BASE.replace('loss: cross_entropy', 'loss: mse').replace('    out: 10', '    out: 1'),
      ),
    );
    expect(issue.message).toBe(
      'the model ends with 1 outputs, but mse needs 10 outputs, one per class of MNIST (mse uses one-hot targets)',
    );
  });

  it('checks sizes against the data: batch_size and eval.samples', () => {
    const text =
      BASE.replace('source: mnist', 'source: mnist\n  train_size: 20\n  test_size: 50') +
      'eval: {samples: 100}\n';
    const byPath = Object.fromEntries(issuesOf(text).map((i) => [i.path, i.message]));
    expect(byPath['batch_size']).toBe('batch_size 32 is larger than the 20 training samples');
    expect(byPath['eval.samples']).toBe('100 is more than the 50 test samples');
  });

  it('reports a YAML syntax error with its line', () => {
    const text = BASE.replace('    out: 10', '   out: 10');
    const issue = only(issuesOf(text));
    expect(issue.path).toBe('');
    expect(issue.line).toBe(8);
    expect(issue.message).toMatch(/^YAML syntax error at column \d+: /);
  });

  it('reports duplicate keys as a YAML error', () => {
    const issue = only(issuesOf(BASE + 'steps: 20\n'));
    expect(issue.line).toBe(15);
    expect(issue.message).toContain('Map keys must be unique');
  });

  it('reports a JSON syntax error with line and column', () => {
    const json = '{\n  "data": {"source": "mnist"},\n  "loss": "mse",\n}\n';
    const issue = only(issuesOf(json, 'run.json'));
    expect(issue).toEqual({
      path: '',
      line: 4,
      message: "JSON syntax error at column 1: trailing comma before '}'",
    });
    const missingComma = only(issuesOf('{\n  "a": 1\n  "b": 2\n}', 'x.JSON'));
    expect(missingComma.line).toBe(3);
    expect(missingComma.message).toBe(
      "JSON syntax error at column 3: expected ',' or '}' after a property value, found '\"'",
    );
    expect(only(issuesOf('{"a": tru}', 'x.json')).message).toBe(
      "JSON syntax error at column 7: expected a value, found 't'",
    );
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(only(issuesOf('')).message).toMatch(/^the definition is empty/);
    expect(only(issuesOf('- 1\n- 2\n')).message).toBe(
      'expected a run definition (a mapping of fields), got a list',
    );
  });

  it('reports an unreadable definition file', async () => {
    const result = await loadDefinitionFile('/nonexistent/run.yaml');
    expect(result.definition).toBeUndefined();
    expect(result.issues).toEqual([
      { path: '', message: 'cannot read /nonexistent/run.yaml: file not found' },
    ]);
  });
});

describe('run definitions: IDX data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vivit-def-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), bytes);
  write('tr-x.idx', encodeIdx('uint8', [6, 3, 3], new Array(54).fill(7)));
  write('tr-y.idx', encodeIdx('uint8', [6], [0, 1, 2, 0, 1, 2]));
  write('te-x.idx', encodeIdx('uint8', [2, 3, 3], new Array(18).fill(1)));
  write('te-y.idx', encodeIdx('uint8', [2], [4, 0])); // class 4 appears only in the test set
  write('bad.idx', new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9, 1, 2])); // promises 9 bytes, has 2

  const idxDefinition = (trainImages: string, out: number) => `data:
  source: idx
  train_images: ${trainImages}
  train_labels: tr-y.idx
  test_images: te-x.idx
  test_labels: te-y.idx
model:
  - flatten
  - {type: linear, in: 9, out: ${out}}
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1}
batch_size: 2
steps: 3
`;

  it('takes the input shape from the header and counts classes over both splits', () => {
    const { definition, issues } = parseDefinition(
      idxDefinition('tr-x.idx', 5),
      join(dir, 'run.yaml'),
    );
    expect(issues).toEqual([]);
    expect(definition?.data).toMatchObject({ source: 'idx', train_images: 'tr-x.idx' });
    const wrong = only(parseDefinition(idxDefinition('tr-x.idx', 3), join(dir, 'run.yaml')).issues);
    expect(wrong.message).toBe(
      'the model ends with 3 outputs, but cross_entropy needs 5 outputs, one per class of the IDX data',
    );
  });

  it('names the file and field of a missing or truncated IDX file', () => {
    const missing = only(
      parseDefinition(idxDefinition('nope.idx', 5), join(dir, 'run.yaml')).issues,
    );
    expect(missing).toEqual({
      path: 'data.train_images',
      message: `${join(dir, 'nope.idx')}: file not found`,
      line: 3,
    });
    const truncated = only(
      parseDefinition(idxDefinition('bad.idx', 5), join(dir, 'run.yaml')).issues,
    );
    expect(truncated.path).toBe('data.train_images');
    expect(truncated.message).toBe(
      `${join(dir, 'bad.idx')}: truncated: the header promises 9 uint8 values (9 bytes) but the file has only 2 bytes of data`,
    );
  });
});
