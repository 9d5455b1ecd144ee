// Dense symmetric eigensolver for the curvature engine, built by scripts/build-eigensolver.sh
// into a standalone eigensolver.wasm with no JS glue.
//
// Eigen 3.4 has no wasm SIMD packet math, so its level-2/3 kernels run scalar here. The heavy
// parts are therefore our own wasm-SIMD kernels around Eigen's tridiagonal QR step:
//   1. Householder tridiagonalization T = QᵀAQ, one fused pass over the trailing triangle per
//      step (the rank-2 update of step k is applied while computing the product of step k+1);
//   2. eigenvalues: implicit QR with Wilkinson shifts on T (Eigen's tridiagonal_qr_step);
//   3a. all (or more than n/2) eigenvectors: Q formed from blocked (compact WY) reflectors with
//       GEMM kernels, then the QR rotations of step 2 applied to its columns, 8 consecutive
//       rotations of a sweep at a time per strip of rows;
//   3b. the m <= n/2 leading eigenvectors only: inverse iteration on T for those m eigenvalues
//       (clustered ones re-orthogonalized, as LAPACK's dstein), then back-transformation of the
//       m vectors by the blocked reflectors (2n²m flops instead of the O(n³) of 3a).
//
// Memory contract with the TypeScript loader (src/vivit/linalg/eigen-wasm.ts): the caller
// mallocs `a` (n*n doubles) and `w` (n doubles), writes a symmetric matrix into `a`, calls
// eig_sym, reads the results, frees both. Only the upper triangle of `a` is read.
#include <wasm_simd128.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdlib>
#include <cstring>

// Build-time switches for measurements only (the shipped build defines neither):
//   EIGENSOLVER_PROFILE     imports profile_mark(phase) and calls it between the phases;
//   EIGENSOLVER_EIGEN_STEP  applies the QR rotations with Eigen's own tridiagonal_qr_step
//                           (results are bitwise identical; for A/B timing).
#ifdef EIGENSOLVER_PROFILE
extern "C" void profile_mark(int phase);  // imported by the profiling harness only
#define MARK(phase) profile_mark(phase)
#else
#define MARK(phase) ((void)0)
#endif

namespace {

constexpr double kEps = 2.220446049250313e-16;  // 2^-52
constexpr int kBlock = 32;  // reflectors per compact-WY block (16 and 64 were not faster)

inline v128_t splat(double x) { return wasm_f64x2_splat(x); }
inline v128_t load(const double *p) { return wasm_v128_load(p); }
inline void store(double *p, v128_t v) { wasm_v128_store(p, v); }
inline v128_t add(v128_t a, v128_t b) { return wasm_f64x2_add(a, b); }
inline v128_t sub(v128_t a, v128_t b) { return wasm_f64x2_sub(a, b); }
inline v128_t mul(v128_t a, v128_t b) { return wasm_f64x2_mul(a, b); }
inline double hsum(v128_t v) {
  return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1);
}

// ---------------------------------------------------------------------------------------------
// Tridiagonalization. A is row-major n×n; its upper triangle (row i, columns j >= i, contiguous)
// holds the matrix. Afterwards d (n) and e (n-1) hold T, tau (n-1) the reflector coefficients,
// and row k of A, columns k+2..n-1, the reflector v_k (v_k[k+1] = 1 implicitly, zero above), so
// that Q = H_0 H_1 ... H_{n-2} with H_k = I - tau_k v_k v_kᵀ. work: 4n doubles.
void tridiagonalize(double *A, int n, double *d, double *e, double *tau, double *work) {
  double *v = work, *w = work + n, *vp = work + 2 * n, *wp = work + 3 * n;
  // A's trailing rows still owe the update A -= vp wpᵀ + wp vpᵀ (none before the first step).
  for (int j = 0; j < n; ++j) vp[j] = wp[j] = 0;
  for (int k = 0; k + 1 < n; ++k) {
    double *rk = A + (size_t)k * n;
    {
      const double vk = vp[k], wk = wp[k];
      for (int j = k; j < n; ++j) rk[j] -= vk * wp[j] + wk * vp[j];
    }
    d[k] = rk[k];
    // Householder reflector for x = rk[k+1 .. n-1]: H x = beta e_1.
    const double alpha = rk[k + 1];
    double sigma = 0;
    for (int j = k + 2; j < n; ++j) sigma += rk[j] * rk[j];
    double t = 0, beta = alpha;
    if (sigma > 0) {
      const double mu = std::sqrt(alpha * alpha + sigma);
      beta = alpha <= 0 ? mu : -mu;
      t = (beta - alpha) / beta;
      const double scale = 1 / (alpha - beta);
      for (int j = k + 2; j < n; ++j) rk[j] *= scale;
    }
    e[k] = beta;
    tau[k] = t;
    v[k + 1] = 1;
    for (int j = k + 2; j < n; ++j) v[j] = rk[j];
    // Fused pass over rows i > k, two rows at a time (they share the loads of v, vp, wp and
    // the update of w): finish the previous step's update, then accumulate w = A22 v.
    for (int j = k + 1; j < n; ++j) w[j] = 0;
    int i = k + 1;
    for (; i + 1 < n; i += 2) {
      double *r0 = A + (size_t)i * n, *r1 = r0 + n;
      const int i1 = i + 1;
      const double v0 = v[i], v1 = v[i1];
      const double vp0 = vp[i], wp0 = wp[i], vp1 = vp[i1], wp1 = wp[i1];
      const double a00 = r0[i] - (vp0 * wp[i] + wp0 * vp[i]);
      const double a01 = r0[i1] - (vp0 * wp[i1] + wp0 * vp[i1]);
      const double a11 = r1[i1] - (vp1 * wp[i1] + wp1 * vp[i1]);
      r0[i] = a00;
      r0[i1] = a01;
      r1[i1] = a11;
      double s0 = a00 * v0 + a01 * v1, s1 = a11 * v1;
      w[i1] += a01 * v0;
      const v128_t v0s = splat(v0), v1s = splat(v1);
      const v128_t vp0s = splat(vp0), wp0s = splat(wp0), vp1s = splat(vp1), wp1s = splat(wp1);
      v128_t d0 = splat(0), d1 = d0;
      int j = i + 2;
      for (; j + 1 < n; j += 2) {
        const v128_t xvp = load(vp + j), xwp = load(wp + j), xv = load(v + j);
        const v128_t a0 = sub(load(r0 + j), add(mul(vp0s, xwp), mul(wp0s, xvp)));
        const v128_t a1 = sub(load(r1 + j), add(mul(vp1s, xwp), mul(wp1s, xvp)));
        store(r0 + j, a0);
        store(r1 + j, a1);
        d0 = add(d0, mul(a0, xv));
        d1 = add(d1, mul(a1, xv));
        store(w + j, add(load(w + j), add(mul(a0, v0s), mul(a1, v1s))));
      }
      for (; j < n; ++j) {
        const double a0 = r0[j] - (vp0 * wp[j] + wp0 * vp[j]);
        const double a1 = r1[j] - (vp1 * wp[j] + wp1 * vp[j]);
        r0[j] = a0;
        r1[j] = a1;
        s0 += a0 * v[j];
        s1 += a1 * v[j];
        w[j] += a0 * v0 + a1 * v1;
      }
      w[i] += s0 + hsum(d0);
      w[i1] += s1 + hsum(d1);
    }
    if (i < n) {  // the last row, alone: only its diagonal entry
      double *r0 = A + (size_t)i * n;
      const double a = r0[i] - (vp[i] * wp[i] + wp[i] * vp[i]);
      r0[i] = a;
      w[i] += a * v[i];
    }
    // p = tau A22 v;  w = p - (tau/2)(pᵀv) v.
    double pv = 0;
    for (int j = k + 1; j < n; ++j) {
      w[j] *= t;
      pv += w[j] * v[j];
    }
    const double c = 0.5 * t * pv;
    for (int j = k + 1; j < n; ++j) w[j] -= c * v[j];
    std::swap(v, vp);
    std::swap(w, wp);
  }
  if (n >= 1) {
    double *r = A + (size_t)(n - 1) * n;
    d[n - 1] = r[n - 1];  // already updated by the last fused pass
  }
}

// ---------------------------------------------------------------------------------------------
// GEMM kernels, row-major.
// C[r][c] = sum_k A[r][k] B[c][k]   (M×N result, K long dot products; overwrites C)
void gemm_nt(int M, int N, int K, const double *A, int lda, const double *B, int ldb, double *C,
             int ldc) {
  int r = 0;
  for (; r + 3 < M; r += 4) {
    const double *a0 = A + (size_t)r * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    int c = 0;
    for (; c + 1 < N; c += 2) {
      const double *b0 = B + (size_t)c * ldb, *b1 = b0 + ldb;
      v128_t s00 = splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00,
             s31 = s00;
      int k = 0;
      for (; k + 1 < K; k += 2) {
        const v128_t x0 = load(b0 + k), x1 = load(b1 + k);
        v128_t y = load(a0 + k);
        s00 = add(s00, mul(y, x0));
        s01 = add(s01, mul(y, x1));
        y = load(a1 + k);
        s10 = add(s10, mul(y, x0));
        s11 = add(s11, mul(y, x1));
        y = load(a2 + k);
        s20 = add(s20, mul(y, x0));
        s21 = add(s21, mul(y, x1));
        y = load(a3 + k);
        s30 = add(s30, mul(y, x0));
        s31 = add(s31, mul(y, x1));
      }
      double t00 = hsum(s00), t01 = hsum(s01), t10 = hsum(s10), t11 = hsum(s11);
      double t20 = hsum(s20), t21 = hsum(s21), t30 = hsum(s30), t31 = hsum(s31);
      for (; k < K; ++k) {
        t00 += a0[k] * b0[k];
        t01 += a0[k] * b1[k];
        t10 += a1[k] * b0[k];
        t11 += a1[k] * b1[k];
        t20 += a2[k] * b0[k];
        t21 += a2[k] * b1[k];
        t30 += a3[k] * b0[k];
        t31 += a3[k] * b1[k];
      }
      double *cr = C + (size_t)r * ldc + c;
      cr[0] = t00;
      cr[1] = t01;
      cr[ldc] = t10;
      cr[ldc + 1] = t11;
      cr[2 * ldc] = t20;
      cr[2 * ldc + 1] = t21;
      cr[3 * ldc] = t30;
      cr[3 * ldc + 1] = t31;
    }
    for (; c < N; ++c) {
      const double *b0 = B + (size_t)c * ldb;
      for (int q = 0; q < 4; ++q) {
        const double *aq = A + (size_t)(r + q) * lda;
        double s = 0;
        for (int k = 0; k < K; ++k) s += aq[k] * b0[k];
        C[(size_t)(r + q) * ldc + c] = s;
      }
    }
  }
  for (; r < M; ++r) {
    const double *ar = A + (size_t)r * lda;
    for (int c = 0; c < N; ++c) {
      const double *b0 = B + (size_t)c * ldb;
      v128_t s = splat(0);
      int k = 0;
      for (; k + 1 < K; k += 2) s = add(s, mul(load(ar + k), load(b0 + k)));
      double t = hsum(s);
      for (; k < K; ++k) t += ar[k] * b0[k];
      C[(size_t)r * ldc + c] = t;
    }
  }
}

// C[r][c] -= sum_k A[r][k] B[k][c]   (M×N, short K: the reflectors of one block)
void gemm_nn_sub(int M, int N, int K, const double *A, int lda, const double *B, int ldb,
                 double *C, int ldc) {
  int r = 0;
  for (; r + 3 < M; r += 4) {
    const double *a0 = A + (size_t)r * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    double *c0 = C + (size_t)r * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    int c = 0;
    for (; c + 3 < N; c += 4) {
      v128_t s00 = load(c0 + c), s01 = load(c0 + c + 2), s10 = load(c1 + c),
             s11 = load(c1 + c + 2), s20 = load(c2 + c), s21 = load(c2 + c + 2),
             s30 = load(c3 + c), s31 = load(c3 + c + 2);
      const double *bk = B + c;
      for (int k = 0; k < K; ++k, bk += ldb) {
        const v128_t x0 = load(bk), x1 = load(bk + 2);
        v128_t y = splat(a0[k]);
        s00 = sub(s00, mul(y, x0));
        s01 = sub(s01, mul(y, x1));
        y = splat(a1[k]);
        s10 = sub(s10, mul(y, x0));
        s11 = sub(s11, mul(y, x1));
        y = splat(a2[k]);
        s20 = sub(s20, mul(y, x0));
        s21 = sub(s21, mul(y, x1));
        y = splat(a3[k]);
        s30 = sub(s30, mul(y, x0));
        s31 = sub(s31, mul(y, x1));
      }
      store(c0 + c, s00);
      store(c0 + c + 2, s01);
      store(c1 + c, s10);
      store(c1 + c + 2, s11);
      store(c2 + c, s20);
      store(c2 + c + 2, s21);
      store(c3 + c, s30);
      store(c3 + c + 2, s31);
    }
    for (; c < N; ++c) {
      for (int q = 0; q < 4; ++q) {
        const double *aq = A + (size_t)(r + q) * lda;
        double s = 0;
        for (int k = 0; k < K; ++k) s += aq[k] * B[(size_t)k * ldb + c];
        C[(size_t)(r + q) * ldc + c] -= s;
      }
    }
  }
  for (; r < M; ++r) {
    const double *ar = A + (size_t)r * lda;
    double *cr = C + (size_t)r * ldc;
    for (int k = 0; k < K; ++k) {
      const double x = ar[k];
      const double *bk = B + (size_t)k * ldb;
      for (int c = 0; c < N; ++c) cr[c] -= x * bk[c];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Y (rows × n, row-major, rows ≥ firstRow(k0) only) ← Y H_{n-2} ... H_0, i.e. Yᵀ ← Q Yᵀ: the
// back-transformation of eigenvectors of T (rows of Y) to eigenvectors of A. With Y = I it
// forms Qᵀ (row-major) = Q (column-major). Reflectors in blocks of kBlock, compact WY form
// H_{k0} ... H_{k0+b-1} = I - V S Vᵀ, so Y ← Y - (Y V) Sᵀ Vᵀ, last block first.
// `identityStart`: Y = I on entry, so rows and columns <= k0 of Y are still those of I and
// only the trailing square is touched (4/3 n³ instead of 2 n³ flops).
bool applyReflectors(const double *A, const double *tau, int n, double *Y, int rows,
                     bool identityStart) {
  const int reflectors = n - 2;  // H_{n-2} is the identity (tau = 0)
  if (reflectors <= 0) return true;
  const int maxLen = n - 1;
  double *Vt = (double *)std::malloc(sizeof(double) * ((size_t)kBlock * maxLen +
                                                       (size_t)kBlock * kBlock * 2 +
                                                       (size_t)rows * kBlock * 2));
  if (Vt == nullptr) return false;
  double *S = Vt + (size_t)kBlock * maxLen;  // kBlock × kBlock, upper triangular
  double *G = S + kBlock * kBlock;            // Gram matrix of the block's reflectors
  double *P = G + kBlock * kBlock;            // rows × b: Y V
  double *W = P + (size_t)rows * kBlock;      // rows × b: Y V Sᵀ
  const int lastStart = ((reflectors - 1) / kBlock) * kBlock;
  for (int k0 = lastStart; k0 >= 0; k0 -= kBlock) {
    const int b = std::min(kBlock, reflectors - k0);
    const int col0 = k0 + 1, len = n - col0;
    // Pack the block's reflectors as rows of Vt (b × len), explicit zeros and ones.
    for (int j = 0; j < b; ++j) {
      double *row = Vt + (size_t)j * len;
      const double *src = A + (size_t)(k0 + j) * n;
      for (int c = 0; c < j; ++c) row[c] = 0;
      row[j] = 1;
      for (int c = j + 1; c < len; ++c) row[c] = src[col0 + c];
    }
    // S: S_jj = tau_j, S[0:j, j] = -tau_j S[0:j, 0:j] (Vᵀ v_j)[0:j].
    gemm_nt(b, b, len, Vt, len, Vt, len, G, kBlock);
    for (int j = 0; j < b; ++j) {
      const double tj = tau[k0 + j];
      for (int i = 0; i < j; ++i) {
        double s = 0;
        for (int l = i; l < j; ++l) s += S[i * kBlock + l] * G[l * kBlock + j];
        S[i * kBlock + j] = -tj * s;
      }
      S[j * kBlock + j] = tj;
    }
    const int r0 = identityStart ? col0 : 0;
    const int m = rows - r0;
    double *Yc = Y + (size_t)r0 * n + col0;
    gemm_nt(m, b, len, Yc, n, Vt, len, P, kBlock);
    // W = P Sᵀ: W[r][i] = sum_{l >= i} P[r][l] S[i][l].
    for (int r = 0; r < m; ++r) {
      const double *pr = P + (size_t)r * kBlock;
      double *wr = W + (size_t)r * kBlock;
      for (int i = 0; i < b; ++i) {
        double s = 0;
        for (int l = i; l < b; ++l) s += pr[l] * S[i * kBlock + l];
        wr[i] = s;
      }
    }
    gemm_nn_sub(m, len, b, W, kBlock, Vt, len, Yc, n);
  }
  std::free(Vt);
  return true;
}

// Wilkinson's shift for rows start..end of T: the eigenvalue of the trailing 2×2 block closer
// to d[end] (Eigen's formula). The other eigenvalue of that block is d[end-1] + d[end] − μ.
double wilkinsonShift(const double *d, const double *e, int end) {
  const double td = (d[end - 1] - d[end]) * 0.5;
  const double ee = e[end - 1];
  double mu = d[end];
  if (td == 0) {
    mu -= std::abs(ee);
  } else if (ee != 0) {
    const double e2 = ee * ee;
    const double h = Eigen::numext::hypot(td, ee);
    if (e2 == 0) {
      mu -= ee / ((td + (td > 0 ? h : -h)) / ee);
    } else {
      mu -= e2 / (td + (td > 0 ? h : -h));
    }
  }
  return mu;
}

// The bulge of an implicit QR step (Eigen's tridiagonal_qr_step arithmetic), chased one
// rotation at a time.
struct Chase {
  int k;
  double x, z;
  bool active;
};

// Returns the rotation in (rc, rs). FastGivens: c = x/r, s = −z/r with r = √(x² + z²) — the
// rotation Eigen's makeGivens forms, with one division and one square root on the chain
// instead of two divisions and a square root (different rounding: eigenvalues only).
template <bool FastGivens = false>
inline void chaseOne(double *d, double *e, int start, int end, Chase &b, double &rc,
                     double &rs) {
  const int k = b.k;
  const double r2 = b.x * b.x + b.z * b.z;
  if (FastGivens && r2 > 1e-280 && r2 < 1e280) {
    const double inverse = 1 / std::sqrt(r2);
    rc = b.x * inverse;
    rs = -b.z * inverse;
  } else {
    Eigen::JacobiRotation<double> rot;
    rot.makeGivens(b.x, b.z);
    rc = rot.c();
    rs = rot.s();
  }
  const double sdk = rs * d[k] + rc * e[k];
  const double dkp1 = rs * e[k] + rc * d[k + 1];
  d[k] = rc * (rc * d[k] - rs * e[k]) - rs * (rc * e[k] - rs * d[k + 1]);
  d[k + 1] = rs * sdk + rc * dkp1;
  e[k] = rc * sdk - rs * dkp1;
  if (k > start) e[k - 1] = rc * e[k - 1] - rs * b.z;
  b.x = e[k];
  if (k < end - 1) {
    b.z = -rs * e[k + 1];
    e[k + 1] = rc * e[k + 1];
  }
  b.k = k + 1;
  b.active = b.k < end && b.z != 0;
}

// Two implicit QR steps on rows start..end, eigenvalues only, with both eigenvalues of the
// trailing 2×2 block as shifts (the Wilkinson one first): the same arithmetic as two qrSteps
// in a row, except that the second shift is chosen before the first step. Each rotation is a
// chain of dependent divisions and a square root, so one chase leaves the CPU waiting on
// latencies; the second chase trails the first by two rotations — rotation k of the second
// reads d[k..k+1] and e[k-1..k+1], which the first has finished with after its rotation k+2,
// done just before in the same loop turn (a lag of one fails the tests) — so the two chains
// run side by side. (n = 1152, Gram-like spectrum: the longest chain of
// rotations fell from 0.68 n² to 0.43 n².) Needs end − start ≥ 4.
void qrDoubleStep(double *d, double *e, int start, int end) {
  const double mu = wilkinsonShift(d, e, end);
  const double other = d[end - 1] + d[end] - mu;
  double c, s;  // rotations are not kept (no Q)
  Chase first{start, d[start] - mu, e[start], e[start] != 0};
  for (int lead = 0; lead < 2 && first.active; ++lead) chaseOne<true>(d, e, start, end, first, c, s);
  Chase second{start, d[start] - other, e[start], e[start] != 0};
  while (first.active && second.active) {
    chaseOne<true>(d, e, start, end, first, c, s);
    chaseOne<true>(d, e, start, end, second, c, s);
  }
  while (first.active) chaseOne<true>(d, e, start, end, first, c, s);
  while (second.active) chaseOne<true>(d, e, start, end, second, c, s);
}

// One implicit symmetric QR step with Wilkinson shift on rows/columns start..end of T (d, e):
// the computation of Eigen's tridiagonal_qr_step, except that the plane rotations are recorded
// in (c, s) instead of being applied to Q one at a time. Returns how many were recorded.
// Rotation k acts on columns (start+k, start+k+1) of Q as x' = c x − s y, y' = s x + c y.
int qrStep(double *d, double *e, int start, int end, double *c, double *s) {
  Chase bulge{start, d[start] - wilkinsonShift(d, e, end), e[start], e[start] != 0};
  int count = 0;
  while (bulge.active) {
    chaseOne(d, e, start, end, bulge, c[count], s[count]);
    ++count;
  }
  return count;
}

// Applies the `count` rotations of one QR step, starting at column `start`, to the column-major
// n×n Q. Rotation k+1 reads the column that rotation k just wrote, so for a strip of 8 rows
// kDepth consecutive rotations are chained in registers: each column is then loaded and stored
// about once per kDepth rotations instead of twice per rotation. (Chaining the whole sweep
// was 2× slower: a strip then touches one line in each of up to n pages.)
void applySweep(double *Q, int n, int start, int count, const double *c, const double *s) {
  constexpr int kDepth = 8;  // 4 and 16 were slower
  for (int k0 = 0; k0 < count; k0 += kDepth) {
    const int k1 = std::min(count, k0 + kDepth);
    double *base = Q + (size_t)(start + k0) * n;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      double *col = base + i;
      v128_t x0 = load(col), x1 = load(col + 2), x2 = load(col + 4), x3 = load(col + 6);
      for (int k = k0; k < k1; ++k) {
        double *next = col + n;
        const v128_t cs = splat(c[k]), ss = splat(s[k]);
        const v128_t y0 = load(next), y1 = load(next + 2), y2 = load(next + 4),
                     y3 = load(next + 6);
        store(col, sub(mul(cs, x0), mul(ss, y0)));
        store(col + 2, sub(mul(cs, x1), mul(ss, y1)));
        store(col + 4, sub(mul(cs, x2), mul(ss, y2)));
        store(col + 6, sub(mul(cs, x3), mul(ss, y3)));
        x0 = add(mul(ss, x0), mul(cs, y0));
        x1 = add(mul(ss, x1), mul(cs, y1));
        x2 = add(mul(ss, x2), mul(cs, y2));
        x3 = add(mul(ss, x3), mul(cs, y3));
        col = next;
      }
      store(col, x0);
      store(col + 2, x1);
      store(col + 4, x2);
      store(col + 6, x3);
    }
    for (; i < n; ++i) {
      double *col = base + i;
      double x = *col;
      for (int k = k0; k < k1; ++k) {
        double *next = col + n;
        const double y = *next;
        *col = c[k] * x - s[k] * y;
        x = s[k] * x + c[k] * y;
        col = next;
      }
      *col = x;
    }
  }
}

// Implicit symmetric QR on (d, e) with Eigen's Wilkinson-shift step. e_i is set to zero when
// Eigen's relative test |e_i| <= eps·sqrt(|d_i| + |d_i+1|) (on the matrix scaled to
// max|a| ~ 1) holds, or when |e_i| <= eps·‖T‖∞. The absolute test is a perturbation of the
// size of the tridiagonalization's own backward error, so the results stay normwise accurate;
// it matters for a rank-deficient Gram matrix, whose trivial eigenvalues form a cluster at
// roundoff level that the relative test only deflates after many more sweeps (at n = 1280,
// rank 320: the rotations applied to Q fell from 0.53 s to 0.07 s). The TypeScript solver
// deflates with the absolute test alone.
// If Q (column-major n×n) is given, the rotations of each step are applied to its columns.
// Without Q, `doubleSteps` runs two shifts per step side by side (qrDoubleStep): about 1.4×
// faster, with eigenvalues that differ from the single steps' in the last bits — so eig_sym,
// whose eigenvalues must not depend on whether vectors were asked for, keeps single steps.
// rot: 2n doubles of work space.
bool tridiagonalQr(double *d, double *e, int n, double *Q, double *rot, bool doubleSteps = false) {
  const double tiny = std::numeric_limits<double>::min();
  const double precisionInv = 1 / std::numeric_limits<double>::epsilon();
  int end = n - 1, iterations = 0;
  const int maxIterations = 30 * n;
  double tnorm = 0;  // ‖T‖∞ (e[n-1] = 0)
  for (int i = 0; i < n; ++i)
    tnorm = std::max(tnorm, std::abs(d[i]) + (i > 0 ? std::abs(e[i - 1]) : 0) + std::abs(e[i]));
  const double absTol = kEps * tnorm;
#ifdef EIGENSOLVER_PROFILE
  long long rotations = 0;
#endif
  while (end > 0) {
    for (int i = 0; i < end; ++i) {
      if (std::abs(e[i]) < tiny) {
        e[i] = 0;
      } else {
        const double scaled = precisionInv * e[i];
        if (scaled * scaled <= std::abs(d[i]) + std::abs(d[i + 1])) e[i] = 0;
        else if (std::abs(e[i]) <= absTol) e[i] = 0;
      }
    }
    while (end > 0 && e[end - 1] == 0) --end;
    if (end <= 0) break;
    if (++iterations > maxIterations) return false;
    int start = end - 1;
    while (start > 0 && e[start - 1] != 0) --start;
#ifdef EIGENSOLVER_EIGEN_STEP
    Eigen::internal::tridiagonal_qr_step<Eigen::ColMajor>(d, e, start, end, Q, n);
    const int count = end - start;
#else
    int count;
    if (doubleSteps && Q == nullptr && end - start >= 4) {
      qrDoubleStep(d, e, start, end);
      count = 2 * (end - start);
    } else {
      count = qrStep(d, e, start, end, rot, rot + n);
      if (Q != nullptr) applySweep(Q, n, start, count, rot, rot + n);
    }
#endif
#ifdef EIGENSOLVER_PROFILE
    rotations += count;
#endif
  }
#ifdef EIGENSOLVER_PROFILE
  profile_mark(1000000 + iterations);
  profile_mark(2000000000 + (int)(rotations / 1000));
#endif
  return true;
}

/** order[k] = index of the k-th largest of d[0..n-1] (stable for ties). */
void descendingOrder(const double *d, int n, int *order) {
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order, order + n, [d](int x, int y) { return d[x] > d[y]; });
}

// ‖T‖∞ of the tridiagonal (d, e), 1 for T = 0: the scale of the cluster and pivot tests.
double tridiagonalNorm(const double *d, const double *e, int n) {
  double tnorm = 0;
  for (int i = 0; i < n; ++i) {
    const double s = std::abs(d[i]) + (i > 0 ? std::abs(e[i - 1]) : 0) +
                     (i + 1 < n ? std::abs(e[i]) : 0);
    tnorm = std::max(tnorm, s);
  }
  return tnorm == 0 ? 1 : tnorm;
}

// Rough operation counts of the two ways to all (or most) eigenvectors, to pick the cheaper:
// forming Q and applying the QR rotations (4/3 n³ + ~3 n³), against inverse iteration for
// the m wanted eigenvalues (sorted descending in w) plus the back-transformation 2n²m, where
// a cluster of c eigenvalues closer than gap adds re-orthogonalization, ~6c²n operations that
// run about three times slower than the GEMM kernels. A rank-deficient Gram matrix has a
// cluster of n − rank roundoff eigenvalues: there the rotations win by far.
double rotationsCost(int n) { return (4.0 / 3.0 + 3.0) * (double)n * n * n; }
double inverseIterationCost(const double *w, int m, int n, double gap) {
  double cost = 60.0 * m * n + 2.0 * (double)n * n * m;
  int start = 0;
  for (int j = 1; j <= m; ++j) {
    if (j == m || w[j - 1] - w[j] > gap) {
      const double c = j - start;
      cost += 3.0 * 6.0 * c * c * n;
      start = j;
    }
  }
  return cost;
}

// ---------------------------------------------------------------------------------------------
// Inverse iteration on the tridiagonal T (d, e) for the eigenvalues lambda[0..m-1] (descending),
// writing unit eigenvectors as rows of Z (m × n). Eigenvalues closer than clusterGap·‖T‖ to
// their predecessor form a cluster; within a cluster the shifts are kept at least 10·eps·‖T‖
// apart and every iterate is re-orthogonalized against the cluster's earlier vectors (the
// scheme of LAPACK's dstein, which uses clusterGap = 1e-3). Outside clusters two vectors are
// orthogonal to about eps·‖T‖ / gap. `iterations` solves per vector (3 in clusters at least):
// from a random start, the first solve already shrinks the other components by eps·‖T‖/gap,
// the second reaches roundoff. The start vector of eigenvalue j depends on firstIndex + j only,
// so a range of eigenvalues split at cluster boundaries gives the same vectors piece by piece
// (in parallel) as in one call.
//
// Each solve is a chain of dependent divisions and multiplications (the LU's pivots, the back
// substitution), so one vector at a time leaves the CPU waiting on latencies. Vectors outside
// clusters are independent: they are solved kLanes at a time, interleaved in SIMD registers
// (solveLanes), with exactly the scalar path's operations per lane, so a vector is bitwise the
// same whichever path computed it. work: 7n doubles, pivot: n bytes.

constexpr double kBig = 1e150, kSmall = 1e-150;  // rescaling bounds of the back substitution
constexpr int kLanes = 4;                         // two f64x2 registers

inline double guardPivot(double u, double tiny) {
  return std::abs(u) < tiny ? (u < 0 ? -tiny : tiny) : u;
}

// Deterministic random start in [-1/2, 1/2) for the eigenvalue of spectrum index `index`.
inline unsigned startSeed(int index) { return 0x2545f491u ^ ((unsigned)index * 0x9e3779b9u); }
inline double nextStart(unsigned &seed) {
  seed = seed * 1664525u + 1013904223u;
  return (double)(seed >> 8) / 16777216.0 - 0.5;
}

// One vector, scalar: LU with partial pivoting of T − shift·I, then `rounds` solves, each
// re-orthogonalized against Z's rows [orthoFrom, orthoTo) (its cluster, twice) and normalized.
// Result in Z row `row`. work: 6n + 2 doubles.
void solveOne(const double *d, const double *e, int n, double shift, double tinyPivot,
              int rounds, int index, const double *Z, int orthoFrom, int orthoTo, double *out,
              double *work, unsigned char *pivot) {
  double *inv = work, *u1 = work + n, *u2 = work + 2 * n, *l = work + 3 * n, *x = work + 4 * n;
  double *z = work + 5 * n;  // n + 2: z[n] = z[n+1] = 0 pad the back substitution
  double p = d[0] - shift, q = n > 1 ? e[0] : 0;
  for (int i = 0; i + 1 < n; ++i) {
    const double b = e[i], a = d[i + 1] - shift, c = i + 2 < n ? e[i + 1] : 0;
    const bool swap = std::abs(p) < std::abs(b);
    const double u0 = swap ? b : p, num = swap ? p : b;
    const double li = u0 == 0 ? 0 : num / u0;
    u1[i] = swap ? a : q;
    u2[i] = swap ? c : 0;
    l[i] = li;
    pivot[i] = swap;
    const double next = swap ? q - li * a : a - li * q;
    q = swap ? -(li * c) : c;
    p = next;
    inv[i] = 1 / guardPivot(u0, tinyPivot);
  }
  inv[n - 1] = 1 / guardPivot(p, tinyPivot);
  u1[n - 1] = u2[n - 1] = 0;
  z[n] = z[n + 1] = 0;
  unsigned seed = startSeed(index);
  for (int i = 0; i < n; ++i) x[i] = nextStart(seed);
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i + 1 < n; ++i) {
      const double lo = pivot[i] ? x[i + 1] : x[i], hi = pivot[i] ? x[i] : x[i + 1];
      x[i] = lo;
      x[i + 1] = hi - l[i] * lo;
    }
    for (int i = n - 1; i >= 0; --i) {
      double s = (x[i] - u1[i] * z[i + 1] - u2[i] * z[i + 2]) * inv[i];
      if (std::abs(s) > kBig) {
        // Rescale what is solved and what is left so nothing overflows.
        for (int t = i + 1; t < n; ++t) z[t] *= kSmall;
        for (int t = 0; t < i; ++t) x[t] *= kSmall;
        s *= kSmall;
      }
      z[i] = s;
    }
    // Orthogonalize against the cluster's earlier vectors (twice is enough), normalize.
    const int passes = orthoTo > orthoFrom ? 2 : 1;
    for (int pass = 0; pass < passes; ++pass) {
      for (int o = orthoFrom; o < orthoTo; ++o) {
        const double *zo = Z + (size_t)o * n;
        double s = 0;
        for (int i = 0; i < n; ++i) s += z[i] * zo[i];
        for (int i = 0; i < n; ++i) z[i] -= s * zo[i];
      }
      double largest = 0, norm = 0;
      for (int i = 0; i < n; ++i) largest = std::max(largest, std::abs(z[i]));
      if (largest == 0) {
        z[index % n] = 1;  // cannot happen for a nonsingular solve; keep a unit vector
        largest = 1;
      }
      for (int i = 0; i < n; ++i) {
        z[i] /= largest;
        norm += z[i] * z[i];
      }
      norm = 1 / std::sqrt(norm);
      for (int i = 0; i < n; ++i) z[i] *= norm;
    }
    for (int i = 0; i < n; ++i) x[i] = z[i];
  }
  std::memcpy(out, z, sizeof(double) * n);
}

inline v128_t pick(v128_t mask, v128_t ifTrue, v128_t ifFalse) {
  return wasm_v128_bitselect(ifTrue, ifFalse, mask);
}

// kLanes independent vectors (no orthogonalization), solveOne's operations lane by lane on
// data interleaved as [i * kLanes + lane]; lanes 0–1 and 2–3 are two f64x2 chains. Results in
// Z rows out[0..kLanes-1]. work: 7·kLanes·n + 2·kLanes doubles.
void solveLanes(const double *d, const double *e, int n, const double *shift, double tinyPivot,
                int rounds, const int *index, double *const *out, double *work) {
  constexpr int L = kLanes;
  double *inv = work, *u1 = work + L * n, *u2 = work + 2 * L * n, *l = work + 3 * L * n;
  double *mask = work + 4 * L * n, *x = work + 5 * L * n;
  const v128_t zero = splat(0), one = splat(1), tiny = splat(tinyPivot),
               minusTiny = splat(-tinyPivot);
  const v128_t shift0 = load(shift), shift1 = load(shift + 2);
  auto guard = [&](v128_t u) {
    const v128_t small = wasm_f64x2_lt(wasm_f64x2_abs(u), tiny);
    return pick(small, pick(wasm_f64x2_lt(u, zero), minusTiny, tiny), u);
  };
  // LU, both chains in one loop.
  v128_t p[2] = {sub(splat(d[0]), shift0), sub(splat(d[0]), shift1)};
  v128_t q[2] = {splat(e[0]), splat(e[0])};
  for (int i = 0; i + 1 < n; ++i) {
    const v128_t b = splat(e[i]), c = splat(i + 2 < n ? e[i + 1] : 0);
    const v128_t a[2] = {sub(splat(d[i + 1]), shift0), sub(splat(d[i + 1]), shift1)};
    for (int h = 0; h < 2; ++h) {
      const v128_t swap = wasm_f64x2_lt(wasm_f64x2_abs(p[h]), wasm_f64x2_abs(b));
      const v128_t u0 = pick(swap, b, p[h]), num = pick(swap, p[h], b);
      const v128_t li = pick(wasm_f64x2_eq(u0, zero), zero, wasm_f64x2_div(num, u0));
      const int at = i * L + 2 * h;
      store(u1 + at, pick(swap, a[h], q[h]));
      store(u2 + at, pick(swap, c, zero));
      store(l + at, li);
      store(mask + at, swap);
      const v128_t next = pick(swap, sub(q[h], mul(li, a[h])), sub(a[h], mul(li, q[h])));
      q[h] = pick(swap, wasm_f64x2_neg(mul(li, c)), c);
      p[h] = next;
      store(inv + at, wasm_f64x2_div(one, guard(u0)));
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int at = (n - 1) * L + 2 * h;
    store(inv + at, wasm_f64x2_div(one, guard(p[h])));
    store(u1 + at, zero);
    store(u2 + at, zero);
  }
  double *z = x + (size_t)L * n;  // n + 2 rows, the last two zero (solveOne's pad)
  for (int t = 0; t < 2 * L; ++t) z[L * n + t] = 0;
  for (int lane = 0; lane < L; ++lane) {
    unsigned seed = startSeed(index[lane]);
    for (int i = 0; i < n; ++i) x[i * L + lane] = nextStart(seed);
  }
  for (int round = 0; round < rounds; ++round) {
    for (int h = 0; h < 2; ++h) {
      v128_t current = load(x + 2 * h);
      for (int i = 0; i + 1 < n; ++i) {
        const int at = i * L + 2 * h;
        const v128_t swap = load(mask + at), following = load(x + at + L);
        const v128_t lo = pick(swap, following, current), hi = pick(swap, current, following);
        store(x + at, lo);
        current = sub(hi, mul(load(l + at), lo));
      }
      store(x + (n - 1) * L + 2 * h, current);
    }
    v128_t z1[2] = {zero, zero}, z2[2] = {zero, zero};
    const v128_t big = splat(kBig);
    for (int i = n - 1; i >= 0; --i) {
      for (int h = 0; h < 2; ++h) {
        const int at = i * L + 2 * h;
        v128_t s = sub(sub(load(x + at), mul(load(u1 + at), z1[h])), mul(load(u2 + at), z2[h]));
        s = mul(s, load(inv + at));
        store(z + at, s);
        if (wasm_v128_any_true(wasm_f64x2_gt(wasm_f64x2_abs(s), big))) {
          // Rare: solveOne's rescaling, lane by lane, on the stored values.
          for (int lane = 2 * h; lane < 2 * h + 2; ++lane) {
            if (!(std::abs(z[i * L + lane]) > kBig)) continue;
            for (int t = i + 1; t < n; ++t) z[t * L + lane] *= kSmall;
            for (int t = 0; t < i; ++t) x[t * L + lane] *= kSmall;
            z[i * L + lane] *= kSmall;
          }
          s = load(z + at);
          z1[h] = load(z + at + L);
        }
        z2[h] = z1[h];
        z1[h] = s;
      }
    }
    // Normalize each lane as solveOne does (max, divide, sum of squares in index order).
    double largest[L] = {0, 0, 0, 0};
    for (int i = 0; i < n; ++i)
      for (int lane = 0; lane < L; ++lane)
        largest[lane] = std::max(largest[lane], std::abs(z[i * L + lane]));
    for (int lane = 0; lane < L; ++lane) {
      if (largest[lane] == 0) {
        z[(index[lane] % n) * L + lane] = 1;
        largest[lane] = 1;
      }
    }
    const v128_t divisor[2] = {load(largest), load(largest + 2)};
    v128_t norm[2] = {zero, zero};
    for (int i = 0; i < n; ++i) {
      for (int h = 0; h < 2; ++h) {
        const int at = i * L + 2 * h;
        const v128_t v = wasm_f64x2_div(load(z + at), divisor[h]);
        store(z + at, v);
        norm[h] = add(norm[h], mul(v, v));
      }
    }
    double scale[L];
    for (int h = 0; h < 2; ++h) {
      scale[2 * h] = 1 / std::sqrt(wasm_f64x2_extract_lane(norm[h], 0));
      scale[2 * h + 1] = 1 / std::sqrt(wasm_f64x2_extract_lane(norm[h], 1));
    }
    const v128_t factor[2] = {load(scale), load(scale + 2)};
    for (int i = 0; i < n; ++i) {
      for (int h = 0; h < 2; ++h) {
        const int at = i * L + 2 * h;
        const v128_t v = mul(load(z + at), factor[h]);
        store(z + at, v);
        store(x + at, v);
      }
    }
  }
  for (int lane = 0; lane < L; ++lane)
    for (int i = 0; i < n; ++i) out[lane][i] = z[i * L + lane];
}

void inverseIteration(const double *d, const double *e, int n, const double *lambda, int m,
                      double clusterGapRelative, int iterations, int firstIndex, double *Z,
                      double *work, unsigned char *pivot) {
  const double tnorm = tridiagonalNorm(d, e, n);
  const double clusterGap = clusterGapRelative * tnorm, separation = 10 * kEps * tnorm;
  const double tinyPivot = kEps * tnorm;
  // Shifts and clusters first (a cluster's shifts depend on each other), then the vectors:
  // those alone in their cluster kLanes at a time, clusters in order, one vector at a time.
  double *shifts = (double *)std::malloc(sizeof(double) * m + sizeof(int) * m);
  double *lanesWork = (double *)std::malloc(sizeof(double) * (7 * kLanes * (size_t)n + 2 * kLanes));
  if (shifts == nullptr || lanesWork == nullptr) {
    // Out of memory for the fast path: recompute shifts on the fly, one vector at a time.
    std::free(shifts);
    std::free(lanesWork);
    int clusterStart = 0;
    double lastShift = 0;
    for (int j = 0; j < m; ++j) {
      double shift = lambda[j];
      if (j > 0 && lambda[j - 1] - lambda[j] <= clusterGap) {
        if (shift > lastShift - separation) shift = lastShift - separation;
      } else {
        clusterStart = j;
      }
      lastShift = shift;
      solveOne(d, e, n, shift, tinyPivot, j > clusterStart ? std::max(iterations, 3) : iterations,
               firstIndex + j, Z, clusterStart, j, Z + (size_t)j * n, work, pivot);
    }
    return;
  }
  int *clusterStart = (int *)(shifts + m);
  for (int j = 0; j < m; ++j) {
    double shift = lambda[j];
    if (j > 0 && lambda[j - 1] - lambda[j] <= clusterGap) {
      clusterStart[j] = clusterStart[j - 1];
      if (shift > shifts[j - 1] - separation) shift = shifts[j - 1] - separation;
    } else {
      clusterStart[j] = j;
    }
    shifts[j] = shift;
  }
  double laneShift[kLanes];
  int laneIndex[kLanes], count = 0;
  double *laneOut[kLanes];
  for (int j = 0; j < m; ++j) {
    const bool alone = clusterStart[j] == j && (j + 1 == m || clusterStart[j + 1] != j);
    if (alone) {
      laneShift[count] = shifts[j];
      laneIndex[count] = firstIndex + j;
      laneOut[count] = Z + (size_t)j * n;
      if (++count == kLanes) {
        solveLanes(d, e, n, laneShift, tinyPivot, iterations, laneIndex, laneOut, lanesWork);
        count = 0;
      }
    } else {
      const int rounds = j > clusterStart[j] ? std::max(iterations, 3) : iterations;
      solveOne(d, e, n, shifts[j], tinyPivot, rounds, firstIndex + j, Z, clusterStart[j], j,
               Z + (size_t)j * n, work, pivot);
    }
  }
  for (int t = 0; t < count; ++t) {
    solveOne(d, e, n, laneShift[t], tinyPivot, iterations, laneIndex[t], Z, 0, 0, laneOut[t],
             work, pivot);
  }
  std::free(shifts);
  std::free(lanesWork);
}

/** out (cols × rows) = in (rows × cols)ᵀ, row-major, in tiles. */
void transpose(const double *in, int rows, int cols, double *out) {
  const int tile = 32;
  for (int i0 = 0; i0 < rows; i0 += tile) {
    for (int j0 = 0; j0 < cols; j0 += tile) {
      const int i1 = std::min(rows, i0 + tile), j1 = std::min(cols, j0 + tile);
      for (int i = i0; i < i1; ++i)
        for (int j = j0; j < j1; ++j) out[(size_t)j * rows + i] = in[(size_t)i * cols + j];
    }
  }
}

}  // namespace

extern "C" {

// Returns 0 on success, 1 if the QR iteration did not converge, 2 if an argument is invalid,
// 3 if the heap could not hold the work space.
// On success: w[k] holds the eigenvalues in descending order. If `vectors` = m > 0, the unit
// eigenvectors of w[0..m-1] are written into `a` as a row-major n×m matrix (column k belongs to
// w[k]); m = n gives all of them (the n×n layout). Signs are left to the caller.
// clusterGap = 0: eigenvectors orthogonal to working precision (dstein's clusters, 1e-3·‖T‖);
// clusterGap > 0: clusters only below clusterGap·‖T‖ and inverse iteration for any m, vectors
// orthogonal to about eps·‖T‖/clusterGap (float32-level for 1e-9).
__attribute__((used)) int eig_sym(double *a, int n, double *w, int vectors, double clusterGap) {
  if (n < 0 || vectors < 0 || vectors > n || !(clusterGap >= 0)) return 2;
  if (n == 0) return 0;
  const int m = vectors;
  // Scale by a power of two (exact) to max|a| in [1/2, 1), as Eigen does, so that nothing in
  // the Householder and QR steps overflows or underflows.
  double largest = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) largest = std::max(largest, std::abs(a[(size_t)i * n + j]));
  int exponent = 0;
  if (largest > 0) std::frexp(largest, &exponent);
  if (exponent != 0) {
    // 2^-exponent itself overflows for subnormal inputs: then scale each entry with ldexp.
    const bool direct = exponent > -1000;
    const double scale = std::ldexp(1.0, direct ? -exponent : 0);
    for (int i = 0; i < n; ++i) {
      double *row = a + (size_t)i * n;
      for (int j = i; j < n; ++j) row[j] = direct ? row[j] * scale : std::ldexp(row[j], -exponent);
    }
  }

  // work: d, e, tau, diagonal copies (3n) + 7n for the kernels.
  double *work = (double *)std::malloc(sizeof(double) * 14 * (size_t)n + sizeof(int) * n + n);
  if (work == nullptr) return 3;
  double *d = work, *e = work + n, *tau = work + 2 * n, *dq = work + 3 * n, *eq = work + 4 * n;
  double *kernel = work + 7 * n;
  int *order = (int *)(work + 14 * n);
  unsigned char *pivot = (unsigned char *)(order + n);
  int status = 0;
  if (n == 1) {
    d[0] = a[0];
  } else {
    tridiagonalize(a, n, d, e, tau, kernel);
  }
  MARK(1);
  e[n - 1] = 0;

  // Inverse iteration costs O(n·m) plus re-orthogonalization within clusters (up to O(n·m²) if
  // all m eigenvalues cluster, e.g. into the null space of a Gram matrix), and the
  // back-transformation 2n²m; beyond m = n/2 forming Q (4/3 n³) and rotating it is cheaper —
  // with dstein's wide clusters. A caller content with float32-level orthogonality passes a
  // narrow clusterGap (> 0): clusters stay small, and inverse iteration for all n vectors
  // takes about half the time of Q and its rotations (n = 1152: 0.37 s against 0.75 s).
  const bool narrowClusters = clusterGap > 0;
  // With narrow clusters the eigenvalues come first and decide (see inverseIterationCost).
  bool useRotations = !narrowClusters && 2 * m > n && n > 1;
  bool valuesReady = false;
  if (narrowClusters && m > 0 && n > 1) {
    std::memcpy(dq, d, sizeof(double) * n);
    std::memcpy(eq, e, sizeof(double) * n);
    if (!tridiagonalQr(dq, eq, n, nullptr, kernel)) {
      status = 1;
    } else {
      descendingOrder(dq, n, order);
      for (int k = 0; k < n; ++k) w[k] = dq[order[k]];
      valuesReady = true;
      const double gap = clusterGap * tridiagonalNorm(d, e, n);
      useRotations = inverseIterationCost(w, m, n, gap) > rotationsCost(n);
    }
  }
  if (status == 0 && useRotations) {
    // All eigenvectors: Q from the blocked reflectors, then the QR rotations on its columns.
    double *Q = (double *)std::malloc(sizeof(double) * (size_t)n * n);
    if (Q == nullptr) {
      status = 3;
    } else {
      std::memset(Q, 0, sizeof(double) * (size_t)n * n);
      for (int i = 0; i < n; ++i) Q[(size_t)i * n + i] = 1;
      if (!applyReflectors(a, tau, n, Q, n, true)) {
        status = 3;
      } else if (MARK(2), !tridiagonalQr(d, e, n, Q, kernel)) {
        status = 1;
      } else {
        MARK(3);
        descendingOrder(d, n, order);
        for (int k = 0; k < n; ++k) w[k] = std::ldexp(d[order[k]], exponent);
        // Q is column-major: column order[k] is the eigenvector of w[k]. Out: a[i*m + k].
        const int tile = 32;
        for (int k0 = 0; k0 < m; k0 += tile) {
          for (int i0 = 0; i0 < n; i0 += tile) {
            const int k1 = std::min(m, k0 + tile), i1 = std::min(n, i0 + tile);
            for (int k = k0; k < k1; ++k) {
              const double *col = Q + (size_t)order[k] * n;
              for (int i = i0; i < i1; ++i) a[(size_t)i * m + k] = col[i];
            }
          }
        }
      }
      std::free(Q);
    }
  } else if (status == 0) {
    if (!valuesReady) {
      std::memcpy(dq, d, sizeof(double) * n);
      std::memcpy(eq, e, sizeof(double) * n);
      if (tridiagonalQr(dq, eq, n, nullptr, kernel)) {
        descendingOrder(dq, n, order);
        for (int k = 0; k < n; ++k) w[k] = dq[order[k]];  // scaled, for inverse iteration
        valuesReady = true;
      } else {
        status = 1;
      }
    }
    if (valuesReady) {
      if (m > 0) {
        if (n == 1) {
          a[0] = 1;
        } else {
          double *Z = (double *)std::malloc(sizeof(double) * (size_t)m * n);
          if (Z == nullptr) {
            status = 3;
          } else {
            MARK(2);
            inverseIteration(d, e, n, w, m, narrowClusters ? clusterGap : 1e-3,
                             narrowClusters ? 2 : 3, 0, Z, kernel, pivot);
            MARK(3);
            if (!applyReflectors(a, tau, n, Z, m, false)) status = 3;
            else transpose(Z, m, n, a);  // rows of Z are the eigenvectors → columns of a
            std::free(Z);
          }
        }
      }
      for (int k = 0; k < n; ++k) w[k] = std::ldexp(w[k], exponent);
    }
  }
  std::free(work);
  return status;
}

// The symmetric tridiagonal problem T = tridiag(e, d, e) alone, for a reduction done elsewhere
// (the GPU solver, src/vivit/linalg/webgpu/), in two calls so that the vectors can be computed
// in parallel (src/vivit/linalg/tridiagonal-eigen.ts). T must be scaled by the caller to
// max |t_ij| ~ 1 (a power of two); e[i] couples i and i+1, e[n-1] is ignored. Neither call
// modifies d or e. Status codes as eig_sym.

// All n eigenvalues of T into w, descending: the implicit QR iteration, O(n²).
__attribute__((used)) int tridiagonal_values(const double *d, const double *e, int n, double *w) {
  if (n < 0) return 2;
  if (n == 0) return 0;
  double *work = (double *)std::malloc(sizeof(double) * 4 * (size_t)n + sizeof(int) * n);
  if (work == nullptr) return 3;
  double *dq = work, *eq = work + n, *rot = work + 2 * n;
  int *order = (int *)(work + 4 * n);
  std::memcpy(dq, d, sizeof(double) * n);
  std::memcpy(eq, e, sizeof(double) * n);
  eq[n - 1] = 0;
  int status = 0;
  if (!tridiagonalQr(dq, eq, n, nullptr, rot, true)) {
    status = 1;
  } else {
    descendingOrder(dq, n, order);
    for (int k = 0; k < n; ++k) w[k] = dq[order[k]];
  }
  std::free(work);
  return status;
}

// Unit eigenvectors of T for the eigenvalues lambda[0..m-1] (descending, from
// tridiagonal_values; a run of consecutive ones starting at index firstIndex of the spectrum)
// as rows of z (m × n), by inverse iteration (two solves, three in clusters; clusters are
// eigenvalues closer than clusterGap·‖T‖, re-orthogonalized). O(n) per vector, plus O(n·c²)
// per cluster of c.
__attribute__((used)) int tridiagonal_vectors(const double *d, const double *e, int n,
                                              const double *lambda, int m, double clusterGap,
                                              int firstIndex, double *z) {
  if (n < 0 || m < 0 || m > n || !(clusterGap >= 0) || firstIndex < 0) return 2;
  if (m == 0) return 0;
  if (n == 1) {
    z[0] = 1;
    return 0;
  }
  double *work = (double *)std::malloc(sizeof(double) * 8 * (size_t)n + n);
  if (work == nullptr) return 3;
  double *eq = work, *kernel = work + n;
  unsigned char *pivot = (unsigned char *)(work + 8 * n);
  std::memcpy(eq, e, sizeof(double) * n);
  eq[n - 1] = 0;
  inverseIteration(d, eq, n, lambda, m, clusterGap, 2, firstIndex, z, kernel, pivot);
  std::free(work);
  return 0;
}

}  // extern "C"
