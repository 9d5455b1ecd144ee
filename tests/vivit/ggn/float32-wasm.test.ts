// The float32 path (tfjs ops, wasm backend, what the app uses) against the float64 engine.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { initWasmBackend } from '../../../src/vivit/backend-wasm';
import { compareFloat32, FLOAT32_CASES, FLOAT32_TOL, type Float32Errors } from './float32';

const seen: Float32Errors[] = [];
beforeAll(initWasmBackend);
afterAll(() => {
  const worst = Object.fromEntries(
    Object.keys(FLOAT32_TOL).map((k) => [
      k,
      Math.max(...seen.map((e) => e[k as keyof Float32Errors])).toExponential(1),
    ]),
  );
  console.info('float32 (wasm) vs float64, max relative errors:', worst);
});

test.each(FLOAT32_CASES)('$name, $loss', async ({ name, loss }) => {
  const errors = await compareFloat32(name, loss);
  seen.push(errors);
  for (const [q, err] of Object.entries(errors)) {
    expect(err, `${q}: ${err}`).toBeLessThan(FLOAT32_TOL[q as keyof Float32Errors]);
  }
});
