// The one place that chooses the tfjs backend:
//   tfjs-node-gpu (CUDA) > webgpu on a hardware adapter > tfjs-node > wasm > cpu.
// The native packages are optional dependencies that download libtensorflow at install time, so
// they may be absent; each backend that is passed over gets a one-line reason in the report.
// webgpu (dawn.node) skips software adapters (llvmpipe, SwiftShader) unless forced.
// VIVIT_BACKEND=tensorflow-gpu|webgpu|tensorflow|wasm|cpu forces one (and fails if it is
// unavailable).
import * as tf from '@tensorflow/tfjs';
import type { BackendName, BackendReport } from '../protocol/records';
import { initWasmBackend } from '../vivit/backend-wasm';
import { initWebGpuBackend, WebGpuUnavailableError } from '../vivit/backend-webgpu';

export const BACKEND_ORDER: readonly BackendName[] = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
];

/** The name tfjs registers each backend under. */
const TFJS_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const NATIVE_PACKAGE: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

function firstLine(e: unknown): string {
  const text =
    e instanceof Error
      ? e.message
      : typeof e === 'object' && e && 'message' in e
        ? String(e.message)
        : String(e);
  return text.split('\n')[0].trim();
}

function isModuleNotFound(e: unknown, pkg: string): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && firstLine(e).includes(pkg)
  );
}

type Attempt = { ok: true; device?: string } | { ok: false; reason: string };

/** Tries to make `backend` the active one. */
async function tryBackend(backend: BackendName, forced: boolean): Promise<Attempt> {
  let device: string | undefined;
  try {
    const pkg = NATIVE_PACKAGE[backend];
    if (pkg) {
      try {
        // A variable specifier keeps bundlers from trying to resolve the optional package.
        await import(/* @vite-ignore */ pkg);
      } catch (e) {
        return {
          ok: false,
          reason: isModuleNotFound(e, pkg)
            ? 'not installed (optional dependency)'
            : `failed to load: ${firstLine(e)}`,
        };
      }
      if (!tf.findBackendFactory('tensorflow'))
        return { ok: false, reason: 'loaded, but registered no tensorflow backend' };
    }
    if (backend === 'webgpu') {
      try {
        device = (await initWebGpuBackend({ allowSoftware: forced })).description;
      } catch (e) {
        if (e instanceof WebGpuUnavailableError) return { ok: false, reason: e.message };
        throw e;
      }
    } else if (backend === 'wasm') {
      await initWasmBackend(); // the engine's helper: locates the .wasm binaries when bundled
    } else if (!(await tf.setBackend(TFJS_NAME[backend]))) {
      return { ok: false, reason: 'failed to initialize' };
    }
    const ok = tf.getBackend() === TFJS_NAME[backend];
    if (!ok) return { ok: false, reason: 'failed to initialize' };
    await tf.ready();
    // A tiny computation proves the backend really works (e.g. CUDA libraries present).
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)));
    const probe = await sum.data();
    sum.dispose();
    if (probe[0] !== 2 || probe[1] !== 3) {
      return { ok: false, reason: 'gave wrong results on a test computation' };
    }
    return device === undefined ? { ok: true } : { ok: true, device };
  } catch (e) {
    return { ok: false, reason: `failed to initialize: ${firstLine(e)}` };
  }
}

function forcedBackend(): BackendName | undefined {
  const value = process.env.VIVIT_BACKEND?.trim();
  if (!value) return undefined;
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(
    `VIVIT_BACKEND=${value} is not a backend; use one of ${BACKEND_ORDER.join(', ')}`,
  );
}

let chosen: Promise<BackendReport> | undefined;

/** Chooses (once per thread) and activates the fastest working backend. */
export function chooseBackend(): Promise<BackendReport> {
  chosen ??= selectBackend().catch((e) => {
    chosen = undefined; // let a later start try again (e.g. after fixing VIVIT_BACKEND)
    throw e;
  });
  return chosen;
}

async function selectBackend(): Promise<BackendReport> {
  const forced = forcedBackend();
  const skipped: BackendReport['skipped'] = [];
  for (const backend of BACKEND_ORDER) {
    if (forced && backend !== forced) {
      if (BACKEND_ORDER.indexOf(backend) < BACKEND_ORDER.indexOf(forced)) {
        skipped.push({ backend, reason: `not tried: VIVIT_BACKEND=${forced}` });
      }
      continue;
    }
    const attempt = await tryBackend(backend, forced === backend);
    if (attempt.ok) {
      return attempt.device === undefined
        ? { chosen: backend, skipped }
        : { chosen: backend, device: attempt.device, skipped };
    }
    const { reason } = attempt;
    if (forced)
      throw new Error(`backend ${forced} (forced by VIVIT_BACKEND) is not available: ${reason}`);
    skipped.push({ backend, reason });
  }
  throw new Error(
    `no tfjs backend works: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
  );
}

/** One line for status messages, e.g. "backend wasm (tensorflow-gpu: not installed ...)". */
export function describeBackend(report: BackendReport): string {
  const skipped = report.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  const device = report.device ? ` on ${report.device}` : '';
  return `backend ${report.chosen}${device}${skipped ? ` (skipped ${skipped})` : ''}`;
}
