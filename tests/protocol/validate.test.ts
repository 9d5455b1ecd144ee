import { describe, expect, it } from 'vitest';
import {
  MAX_DEFINITION_TEXT,
  validateHostRequest,
  validateLogRecord,
} from '../../src/protocol/validate';
import { sampleBody, sampleHeader } from './sample-records';

describe('validateHostRequest', () => {
  it('accepts every well-formed request', () => {
    const good = [
      { kind: 'hello' },
      { kind: 'saveLog' },
      ...['start', 'pause', 'resume', 'step', 'stop'].map((command) => ({
        kind: 'command',
        command,
      })),
      { kind: 'loadDefinition', path: '/x/mnist.yaml' },
      { kind: 'loadDefinition', text: 'name: x', name: 'x.yaml' },
      { kind: 'openLog', path: '/x/run.jsonl' },
      { kind: 'openLog', text: '{}', name: 'run.jsonl' },
    ];
    for (const request of good) {
      const checked = validateHostRequest(request);
      expect(checked, JSON.stringify(request)).toEqual({ ok: true, value: request });
    }
  });

  it('drops unknown fields so nothing unchecked reaches main', () => {
    expect(validateHostRequest({ kind: 'hello', extra: 1 })).toEqual({
      ok: true,
      value: { kind: 'hello' },
    });
    expect(validateHostRequest({ kind: 'openLog', text: 'x', __proto__x: 1 })).toEqual({
      ok: true,
      value: { kind: 'openLog', text: 'x' },
    });
  });

  it('rejects malformed requests with a message naming the problem', () => {
    const bad: [unknown, RegExp][] = [
      [null, /request must be an object, got null/],
      ['hello', /request must be an object, got "hello"/],
      [[{ kind: 'hello' }], /got an array/],
      [{}, /unknown request kind undefined/],
      [{ kind: 'exec', command: 'rm' }, /unknown request kind "exec"/],
      [
        { kind: 'command', command: 'format-disk' },
        /command must be one of start, pause, resume, step, stop; got "format-disk"/,
      ],
      [{ kind: 'command' }, /command must be one of/],
      [{ kind: 'loadDefinition' }, /loadDefinition needs a path or a text/],
      [{ kind: 'loadDefinition', path: 'a', text: 'b' }, /takes a path or a text, not both/],
      [{ kind: 'loadDefinition', path: 42 }, /loadDefinition: path must be a string, got 42/],
      [{ kind: 'openLog', path: 'a\0b' }, /NUL/],
      [{ kind: 'openLog', path: '' }, /path is empty/],
      [{ kind: 'openLog', text: 'x', name: {} }, /name must be a string, got an object/],
      [{ kind: 'loadDefinition', text: 'x'.repeat(MAX_DEFINITION_TEXT + 1) }, /text is too long/],
    ];
    for (const [request, message] of bad) {
      const checked = validateHostRequest(request);
      expect(checked.ok, JSON.stringify(request)?.slice(0, 80)).toBe(false);
      if (!checked.ok) expect(checked.error).toMatch(message);
    }
  });
});

describe('validateLogRecord', () => {
  it('accepts the records a worker writes', () => {
    for (const record of [sampleHeader(), ...sampleBody(4)]) {
      expect(validateLogRecord(structuredClone(record)).ok, record.type).toBe(true);
    }
  });

  it('names the bad field of a bad record', () => {
    const step = sampleBody(1)[1];
    const cases: [unknown, string][] = [
      [{ ...step, loss: 'low' }, 'step record: loss must be a number, got "low"'],
      [{ ...step, step: -1 }, 'step record: step must be a non-negative integer, got -1'],
      [{ ...step, epoch: 1.5 }, 'step record: epoch must be a non-negative integer, got 1.5'],
      [{ type: 'eval', step: 1, loss: 1 }, 'eval record: samples must be a number, got undefined'],
      [
        { type: 'event', step: 1, kind: 'exploded', time: 'now' },
        'event record: kind must be one of started, paused, resumed, stopped, finished, error; got "exploded"',
      ],
      [{ type: 'epoch', step: 1 }, 'epoch record: epoch must be a number, got undefined'],
      [
        { ...sampleHeader(), definition: { model: 'mlp' } },
        'header: definition.model must be a list of layers',
      ],
      [
        { ...sampleHeader(), parameterCount: 'NaN' },
        'header: parameterCount must be a non-negative integer, got NaN',
      ],
      [
        { ...sampleHeader(), plannedSteps: 2.5 },
        'header: plannedSteps must be a non-negative integer, got 2.5',
      ],
      [
        { ...sampleHeader(), backend: { chosen: 'webgpu', device: 7, skipped: [] } },
        'header: backend.device must be a string (the GPU adapter) when present',
      ],
      [{ type: 7 }, 'unknown record type 7'],
      [{ type: 'constructor' }, 'unknown record type "constructor"'],
    ];
    for (const [record, error] of cases) {
      expect(validateLogRecord(record)).toEqual({ ok: false, error });
    }
  });

  it('accepts a header whose backend names its GPU adapter', () => {
    const header = {
      ...sampleHeader(),
      backend: { chosen: 'webgpu', device: 'NVIDIA H200 (native API)', skipped: [] },
    };
    expect(validateLogRecord(header)).toMatchObject({ ok: true });
  });
});
