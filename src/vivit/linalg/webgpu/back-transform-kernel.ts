// WGSL: eigenvectors of A from those of T, x = Q z = H_0 H_1 ⋯ H_{n−2} z, for each row z of Z
// (m × n, the tridiagonal's eigenvectors from the host). Each workgroup takes `vectors`
// consecutive rows (the last one may have fewer): they sit in workgroup memory and the
// reflectors are applied from the last to the first, z ← z − β_k v_k (v_kᵀ z). The rows share
// each reflector's loads and each reduction's barriers. Writes the m results as rows of `out`.

import { reflectorLayout } from './tridiagonalize-kernel';

/** Workgroup memory (bytes) the kernel needs for n and a number of vectors per workgroup. */
export function backTransformSharedBytes(n: number, workgroup: number, vectors: number): number {
  return 4 * vectors * (n + 2 * workgroup);
}

export function backTransformKernel(n: number, workgroup: number, vectors: number): string {
  const { beta } = reflectorLayout(n);
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> zt: array<f32>;
@group(0) @binding(1) var<storage, read> refl: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
// rows.x = m, the number of vectors this solve back-transforms.
@group(0) @binding(3) var<uniform> rows: vec4<u32>;

const N: u32 = ${n}u;
const WG: u32 = ${workgroup}u;
const V: u32 = ${vectors}u;

var<workgroup> z: array<f32, ${Math.max(n, 1) * vectors}>;
// Partial sums of the V dot products; two halves used by turns, so that the next step's sums
// never overwrite those a slower thread is still reading (see tridiagonalize-kernel.ts).
var<workgroup> red: array<f32, ${2 * workgroup * vectors}>;

@compute @workgroup_size(${workgroup})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let first = wid.x * V;
  let count = min(V, rows.x - first);
  for (var v = 0u; v < count; v = v + 1u) {
    for (var i = lid; i < N; i = i + WG) { z[v * N + i] = zt[(first + v) * N + i]; }
  }
  workgroupBarrier();
  for (var step = 1u; step < N; step = step + 1u) {
    let k = N - 1u - step;
    let base = (step % 2u) * WG * V;
    var partial: array<f32, ${vectors}>;
    for (var v = 0u; v < V; v = v + 1u) { partial[v] = 0.0; }
    for (var i = k + 1u + lid; i < N; i = i + WG) {
      let r = refl[k * N + i];
      for (var v = 0u; v < V; v = v + 1u) { partial[v] = partial[v] + r * z[v * N + i]; }
    }
    for (var v = 0u; v < V; v = v + 1u) { red[base + v * WG + lid] = partial[v]; }
    workgroupBarrier();
    for (var off = WG / 2u; off > 0u; off = off / 2u) {
      if (lid < off) {
        for (var v = 0u; v < V; v = v + 1u) {
          let at = base + v * WG + lid;
          red[at] = red[at] + red[at + off];
        }
      }
      workgroupBarrier();
    }
    let b = refl[${beta}u + k];
    for (var i = k + 1u + lid; i < N; i = i + WG) {
      let r = refl[k * N + i];
      for (var v = 0u; v < V; v = v + 1u) {
        z[v * N + i] = z[v * N + i] - b * red[base + v * WG] * r;
      }
    }
    workgroupBarrier();
  }
  for (var v = 0u; v < count; v = v + 1u) {
    for (var i = lid; i < N; i = i + WG) { out[(first + v) * N + i] = z[v * N + i]; }
  }
}
`;
}
