// WGSL: one step k of the Householder reduction T = QᵀAQ of a symmetric n×n float32 matrix,
// the GPU form of the host solvers' scheme (docs/linalg.md): the rank-2 update of step k−1 is
// deferred and fused with the matrix–vector product of step k, so each step is one dispatch
// that streams the trailing block once.
//
// Step k (k = 0 … n−1; the last two only finish d and e):
//  1. every workgroup (redundantly; O(n) work) applies step k−1's update to row k on the fly —
//     x = A[k, k+1:] − v_{k−1}[k]·w_{k−1} − w_{k−1}[k]·v_{k−1}, with w = p − (β/2)(pᵀv)v — and
//     forms the reflector H_k = I − β v vᵀ with H_k x = α e₁ (v in workgroup memory);
//  2. each workgroup owns ROWS rows i > k: applies the deferred update to row i of the trailing
//     block, writes it back, and computes p_i = β Σ_j A[i, j] v_j (LANES threads per row);
//  3. workgroup 0 stores v (for step k+1 and for the back-transformation), d_k, e_k = α, β.
// Row k is never written during step k (only rows > k are), so reading it is race-free; v and
// p of consecutive steps alternate between two slots of `vecs`.
//
// Buffers: a (n×n, row-major, destroyed); vecs (6n: slots [v | p] at 0 and 2n, zeros at 4n for
// step 0); refl (n×n reflectors, row k = v_k, then d, e, the scale and β: reflectorLayout);
// state { k, done }, zeroed before step 0. The kernel advances k itself: the last workgroup of
// a step to finish (done reaches the number of workgroups) resets done and increments k, so
// the n steps are n bare dispatches of one pipeline and one bind group — no per-step bind
// group and offset from the host (at n = 1152 that halved the host's encoding, ~1.5 µs per
// step here). Every workgroup reads k before it counts itself done, and the next dispatch
// starts after all of them, so all workgroups of a step see the same k.

export interface TridiagonalizeShape {
  n: number;
  /** Threads per workgroup (a power of two). */
  workgroup: number;
  /** Rows of the trailing block per workgroup (a power of two dividing `workgroup`). */
  rows: number;
}

/** Offsets (in floats) into `refl` of the tridiagonal's diagonal d and off-diagonal e, the
 *  power of two the matrix was scaled down by (scale-kernel.ts), and the reflectors' β. d, e
 *  and the scale are contiguous: the host reads them back in one copy. */
export function reflectorLayout(n: number): {
  d: number;
  e: number;
  scale: number;
  beta: number;
  size: number;
} {
  const n2 = n * n;
  return { d: n2, e: n2 + n, scale: n2 + 2 * n, beta: n2 + 2 * n + 1, size: n2 + 3 * n + 1 };
}

/** Below this ‖x‖² (of a matrix scaled to max |a_ij| < 1) the column counts as reduced: H_k = I.
 *  Neglecting ‖x‖ ≤ 1e-15 is far inside float32's backward error, and it keeps β = 1/‖x‖²
 *  finite. */
const NEGLIGIBLE_NORM2 = 1e-30;

export function tridiagonalizeKernel({ n, workgroup, rows }: TridiagonalizeShape): string {
  const { d, e, beta } = reflectorLayout(n);
  return /* wgsl */ `
struct State { k: atomic<u32>, done: atomic<u32> }
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> vecs: array<f32>;
@group(0) @binding(2) var<storage, read_write> refl: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: State;

const N: u32 = ${n}u;
const WG: u32 = ${workgroup}u;
const ROWS: u32 = ${rows}u;
const LANES: u32 = ${workgroup / rows}u;

var<workgroup> vs: array<f32, ${Math.max(n, 1)}>;
var<workgroup> redDot: array<f32, ${workgroup}>;
var<workgroup> redSquares: array<f32, ${workgroup}>;
var<workgroup> red: array<f32, ${workgroup}>;

// Sum over the workgroup into red[0]; every thread may read it after the call. Each reduction
// of a step has its own array: a thread that reads one result never races with a faster thread
// that already writes the next reduction's operands (that pattern failed on Mesa's llvmpipe
// even with a barrier in between).
fn sumDot(lid: u32) {
  for (var off = WG / 2u; off > 0u; off = off / 2u) {
    if (lid < off) { redDot[lid] = redDot[lid] + redDot[lid + off]; }
    workgroupBarrier();
  }
}
fn sumSquares(lid: u32) {
  for (var off = WG / 2u; off > 0u; off = off / 2u) {
    if (lid < off) { redSquares[lid] = redSquares[lid] + redSquares[lid + off]; }
    workgroupBarrier();
  }
}

@compute @workgroup_size(${workgroup})
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let k = atomicLoad(&state.k);
  // v and p of step k−1 (slot (k−1) mod 2; zeros for step 0), step k's into the other slot.
  let prev = select(((k + 1u) % 2u) * 2u * N, 4u * N, k == 0u);
  let next = (k % 2u) * 2u * N;
  var betaPrev = 0.0;
  if (k > 0u) { betaPrev = refl[${beta}u + k - 1u]; }

  // w_{k−1} = p − (β/2)(pᵀv) v over the previous trailing block (indices ≥ k).
  var dot = 0.0;
  for (var j = k + lid; j < N; j = j + WG) { dot = dot + vecs[prev + N + j] * vecs[prev + j]; }
  redDot[lid] = dot;
  workgroupBarrier();
  sumDot(lid);
  let halfBetaDot = 0.5 * betaPrev * redDot[0];
  let vk = vecs[prev + k];
  let wk = vecs[prev + N + k] - halfBetaDot * vk;

  // x = row k right of the diagonal, updated; its squared norm.
  var squares = 0.0;
  for (var j = k + 1u + lid; j < N; j = j + WG) {
    let vj = vecs[prev + j];
    let wj = vecs[prev + N + j] - halfBetaDot * vj;
    let x = a[k * N + j] - vk * wj - wk * vj;
    vs[j] = x;
    squares = squares + x * x;
  }
  redSquares[lid] = squares;
  workgroupBarrier();
  sumSquares(lid);
  let norm2 = redSquares[0];
  let dk = a[k * N + k] - 2.0 * vk * wk;
  var alpha = 0.0;
  var beta = 0.0;
  var x1 = 0.0;
  if (k + 1u < N) { x1 = vs[k + 1u]; }
  if (norm2 > ${NEGLIGIBLE_NORM2}) {
    let norm = sqrt(norm2);
    alpha = select(norm, -norm, x1 >= 0.0);
    beta = 1.0 / (norm2 - alpha * x1);
  } else {
    alpha = x1;
  }
  workgroupBarrier();
  if (lid == 0u && k + 1u < N) { vs[k + 1u] = x1 - alpha; }
  workgroupBarrier();

  // Own rows: deferred update, then p_i = β (A v)_i.
  let r = lid / LANES;
  let lane = lid % LANES;
  let i = k + 1u + wid.x * ROWS + r;
  var partial = 0.0;
  if (i < N) {
    let vi = vecs[prev + i];
    let wi = vecs[prev + N + i] - halfBetaDot * vi;
    let row = i * N;
    for (var j = k + 1u + lane; j < N; j = j + LANES) {
      let vj = vecs[prev + j];
      let wj = vecs[prev + N + j] - halfBetaDot * vj;
      let aij = a[row + j] - vi * wj - wi * vj;
      a[row + j] = aij;
      partial = partial + aij * vs[j];
    }
  }
  red[lid] = partial;
  workgroupBarrier();
  for (var off = LANES / 2u; off > 0u; off = off / 2u) {
    if (lane < off) { red[lid] = red[lid] + red[lid + off]; }
    workgroupBarrier();
  }
  if (lane == 0u && i < N) { vecs[next + N + i] = beta * red[lid]; }

  if (wid.x == 0u) {
    for (var j = lid; j < N; j = j + WG) {
      let v = select(0.0, vs[j], j > k);
      vecs[next + j] = v;
      refl[k * N + j] = v;
    }
    if (lid == 0u) {
      refl[${d}u + k] = dk;
      refl[${e}u + k] = alpha;
      refl[${beta}u + k] = beta;
    }
  }

  // The last workgroup of the step to finish moves the state on to step k + 1.
  workgroupBarrier();
  if (lid == 0u) {
    let finished = atomicAdd(&state.done, 1u) + 1u;
    if (finished == groups.x) {
      atomicStore(&state.done, 0u);
      atomicAdd(&state.k, 1u);
    }
  }
}
`;
}
