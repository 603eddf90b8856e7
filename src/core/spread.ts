/**
 * The largest eigenvalue of the covariance of centred points (n×d, row-major), by power
 * iteration on a sample of at most ~4,000 rows: the spread along the widest direction.
 */
export function largestVariance(points: Float32Array, n: number, dims: number): number {
  const stride = Math.max(1, Math.floor(n / 4000));
  const cov = new Float64Array(dims * dims);
  let count = 0;
  for (let p = 0; p < n; p += stride, count++) {
    const row = p * dims;
    for (let i = 0; i < dims; i++) {
      const vi = points[row + i];
      for (let j = i; j < dims; j++) cov[i * dims + j] += vi * points[row + j];
    }
  }
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      cov[i * dims + j] /= count;
      cov[j * dims + i] = cov[i * dims + j];
    }
  }
  let v = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  let lambda = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    const next = new Float64Array(dims);
    for (let i = 0; i < dims; i++) for (let j = 0; j < dims; j++) next[i] += cov[i * dims + j] * v[j];
    const norm = Math.hypot(...next);
    if (norm === 0) return 0;
    const converged = Math.abs(norm - lambda) <= 1e-9 * norm;
    lambda = norm;
    v = next.map((x) => x / norm);
    if (converged) break;
  }
  return lambda;
}
