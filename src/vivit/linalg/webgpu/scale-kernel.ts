// WGSL: scale the matrix by a power of two so that max |a_ij| lies in [1/2, 1), as the host
// solvers do (eigen-js.ts, eigensolver.cpp): float32 squares of entries then neither overflow
// nor lose everything to underflow in the Householder norms. Two passes:
//  1. maxAbsKernel: max |a_ij| over the matrix into scratch[0], as the bit pattern of a
//     non-negative float (those order like unsigned integers, so atomicMax works; NaN and ±∞
//     give patterns ≥ 0x7f800000, which the host sees as non-finite);
//  2. scaleKernel: a ← a · 2^−e for max = f · 2^e, f ∈ [1/2, 1); 2^e goes to refl[scale] so the
//     host can scale the eigenvalues back.

import { reflectorLayout } from './tridiagonalize-kernel';

export function maxAbsKernel(length: number, workgroup: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> scratch: array<atomic<u32>>;

var<workgroup> best: array<u32, ${workgroup}>;

@compute @workgroup_size(${workgroup})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  var m = 0u;
  let stride = groups.x * ${workgroup}u;
  for (var i = wid.x * ${workgroup}u + lid; i < ${length}u; i = i + stride) {
    m = max(m, bitcast<u32>(abs(a[i])));
  }
  best[lid] = m;
  workgroupBarrier();
  for (var off = ${workgroup / 2}u; off > 0u; off = off / 2u) {
    if (lid < off) { best[lid] = max(best[lid], best[lid + off]); }
    workgroupBarrier();
  }
  if (lid == 0u) { atomicMax(&scratch[0], best[0]); }
}
`;
}

export function scaleKernel(n: number, workgroup: number): string {
  const { scale } = reflectorLayout(n);
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read> scratch: array<u32>;
@group(0) @binding(2) var<storage, read_write> refl: array<f32>;

@compute @workgroup_size(${workgroup})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let bits = scratch[0];
  var e = 0;
  // Finite and nonzero only; otherwise leave a as it is (the host checks the maximum).
  if (bits > 0u && bits < 0x7f800000u) { e = frexp(bitcast<f32>(bits)).exp; }
  // 2^−e in two factors: a single one overflows or flushes to zero at the ends of the range.
  let half = e / 2;
  let f1 = ldexp(1.0, -half);
  let f2 = ldexp(1.0, half - e);
  if (gid.x == 0u) { refl[${scale}u] = ldexp(1.0, e); }
  let stride = groups.x * ${workgroup}u;
  for (var i = gid.x; i < ${n * n}u; i = i + stride) { a[i] = a[i] * f1 * f2; }
}
`;
}
