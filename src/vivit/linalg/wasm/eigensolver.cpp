// Symmetric eigensolver exported from Eigen's SelfAdjointEigenSolver (Householder
// tridiagonalization + implicit symmetric QL/QR with Wilkinson shifts), built by
// scripts/build-eigensolver.sh into a standalone eigensolver.wasm with no JS glue.
//
// Memory contract with the TypeScript loader (src/vivit/linalg/wasm-solver.ts):
// the caller mallocs `a` (n*n doubles) and `w` (n doubles), writes a symmetric matrix into
// `a`, calls eig_sym, reads the results, frees both. Only the lower triangle of `a` is read.
#include <Eigen/Eigenvalues>

using Eigen::Dynamic;
using Eigen::Map;
using Eigen::Matrix;
using Eigen::MatrixXd;
using Eigen::RowMajor;

extern "C" {

// Returns 0 on success, 1 if the QL iteration did not converge, 2 if n is invalid.
// On success: w[k] holds the eigenvalues in descending order; if `vectors` is nonzero,
// `a` is overwritten with the eigenvectors in row-major layout, column k belonging to w[k].
// Eigen copies `a` before factorizing, so writing the result back into it costs no extra
// n*n buffer inside the module.
__attribute__((used)) int eig_sym(double *a, int n, double *w, int vectors) {
  if (n < 0) return 2;
  if (n == 0) return 0;
  Map<MatrixXd> input(a, n, n);
  Eigen::SelfAdjointEigenSolver<MatrixXd> solver;
  solver.compute(input, vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) return 1;
  // Eigen sorts ascending; the API promises descending.
  const auto &values = solver.eigenvalues();
  for (int k = 0; k < n; ++k) w[k] = values[n - 1 - k];
  if (vectors) {
    Map<Matrix<double, Dynamic, Dynamic, RowMajor>> out(a, n, n);
    out = solver.eigenvectors().rowwise().reverse();
  }
  return 0;
}

}  // extern "C"
