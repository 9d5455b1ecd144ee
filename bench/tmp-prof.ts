import { symmetricEigen, loadEigensolver } from '../src/vivit/linalg/index';
await loadEigensolver();
const n = 1152;
const v = new Float64Array(n * 300).map(() => Math.random() - 0.5);
const g = new Float64Array(n * n);
for (let r = 0; r < 300; r++)
  for (let i = 0; i < n; i++) {
    const a = v[r * n + i];
    for (let j = 0; j < n; j++) g[i * n + j] += a * v[r * n + j];
  }
for (let i = 0; i < n; i++) g[i * n + i] += 1e-3 * (i + 1);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  const r = symmetricEigen(g, n, { vectors: true });
  const raw = performance.now() - t;
  // orthogonality sample
  let orth = 0;
  const x = r.vectors!;
  for (let a = 0; a < n; a += 37)
    for (let b = 0; b < a; b += 13) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * n + a] * x[i * n + b];
      orth = Math.max(orth, Math.abs(s));
    }
  console.log(`all vectors ${raw.toFixed(0)} ms, orth ${orth.toExponential(1)}`);
}
