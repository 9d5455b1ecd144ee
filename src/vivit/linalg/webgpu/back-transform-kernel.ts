// WGSL: eigenvectors of A from those of T, x = Q z = H_0 H_1 ⋯ H_{n−2} z, for each row z of Z
// (m × n, the tridiagonal's eigenvectors from the host). One workgroup per vector: z sits in
// workgroup memory and the reflectors are applied from the last to the first,
// z ← z − β_k v_k (v_kᵀ z). Writes the m results as rows of `out`.

import { reflectorLayout } from './tridiagonalize-kernel';

export function backTransformKernel(n: number, workgroup: number): string {
  const { beta } = reflectorLayout(n);
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> zt: array<f32>;
@group(0) @binding(1) var<storage, read> refl: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const N: u32 = ${n}u;
const WG: u32 = ${workgroup}u;

var<workgroup> z: array<f32, ${Math.max(n, 1)}>;
// Two reduction arrays used by turns: the next step's partial sums never overwrite the one a
// slower thread is still reading (see tridiagonalize-kernel.ts).
var<workgroup> red: array<f32, ${2 * workgroup}>;

@compute @workgroup_size(${workgroup})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let source = wid.x * N;
  for (var i = lid; i < N; i = i + WG) { z[i] = zt[source + i]; }
  workgroupBarrier();
  for (var step = 1u; step < N; step = step + 1u) {
    let k = N - 1u - step;
    var partial = 0.0;
    for (var i = k + 1u + lid; i < N; i = i + WG) { partial = partial + refl[k * N + i] * z[i]; }
    let base = (step % 2u) * WG;
    red[base + lid] = partial;
    workgroupBarrier();
    for (var off = WG / 2u; off > 0u; off = off / 2u) {
      if (lid < off) { red[base + lid] = red[base + lid] + red[base + lid + off]; }
      workgroupBarrier();
    }
    let t = refl[${beta}u + k] * red[base];
    for (var i = k + 1u + lid; i < N; i = i + WG) { z[i] = z[i] - t * refl[k * N + i]; }
    workgroupBarrier();
  }
  for (var i = lid; i < N; i = i + WG) { out[wid.x * N + i] = z[i]; }
}
`;
}
