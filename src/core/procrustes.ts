/**
 * Procrustes problems, solved with ml-matrix's SVD.
 *
 * - orthogonalProcrustes: the rotation R (k×k, det +1) minimising ‖A·R − B‖ for centred A, B:
 *   the closed form R = U·diag(1, …, 1, det(UVᵀ))·Vᵀ from SVD(AᵀB) = U·S·Vᵀ. Without the last
 *   sign a mirror image can win, and a view must never be mirrored.
 * - stiefelProcrustes: the d×p frame F (FᵀF = I, p < d) minimising Σ w_i ‖x_i·F[:, :q] − t_i‖²
 *   (targets for the first q columns only), by the iteration of Green and Gower: complete F to a
 *   d×d orthogonal Q, fill the free target columns with x·Q, solve the full orthogonal problem,
 *   repeat. Each step cannot increase the residual; the result is exactly orthonormal because it
 *   is an SVD's polar factor.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { orthonormalize, widenFrame } from './frame';

/** Row-major m×k arrays. Returns the k×k rotation (row-major) and the relative residual. */
export function orthogonalProcrustes(
  source: Float64Array,
  target: Float64Array,
  m: number,
  k: number,
): { rotation: Float64Array; residual: number } {
  const a = centred(source, m, k);
  const b = centred(target, m, k);
  const cross = a.transpose().mmul(b);
  const svd = new SingularValueDecomposition(cross, { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  let r = u.mmul(v.transpose());
  if (determinantSign(r) < 0) {
    // Flip the direction of the weakest singular pair: the best proper rotation.
    const flip = Matrix.eye(k, k);
    flip.set(k - 1, k - 1, -1);
    r = u.mmul(flip).mmul(v.transpose());
  }
  const fitted = a.mmul(r);
  const residual = Math.sqrt(fitted.sub(b).norm() ** 2 / Math.max(b.norm() ** 2, 1e-300));
  return { rotation: Float64Array.from(r.to1DArray()), residual };
}

export interface StiefelProblem {
  /** m×d row-major: the points to place. */
  rows: Float64Array;
  m: number;
  dims: number;
  /** m×q row-major: where each point's first q coordinates should land. */
  targets: Float64Array;
  q: number;
  weights: Float64Array;
}

/**
 * Improve a d×p orthonormal frame toward the targets. Returns the new frame (row-major d×p)
 * and the final weighted residual.
 */
export function stiefelProcrustes(
  frame: Float64Array,
  p: number,
  problem: StiefelProblem,
  maxIterations = 60,
  tolerance = 1e-14,
): { frame: Float64Array; residual: number } {
  const { rows, m, dims, targets, q, weights } = problem;
  let full = new Matrix(toRows(widenFrame(frame, dims, p, dims), dims, dims));
  const x = new Matrix(toRows(rows, m, dims));
  // Weights enter as √w on both sides so that the SVD solves the weighted problem.
  const root = Float64Array.from(weights, (w) => Math.sqrt(Math.max(w, 0)));
  const xw = x.clone();
  for (let i = 0; i < m; i++) for (let j = 0; j < dims; j++) xw.set(i, j, x.get(i, j) * root[i]);
  let previous = Infinity;
  let residual = Infinity;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const placed = xw.mmul(full);
    residual = 0;
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < q; c++) {
        const goal = targets[i * q + c] * root[i];
        residual += (placed.get(i, c) - goal) ** 2;
        placed.set(i, c, goal);
      }
    }
    if (previous - residual <= tolerance * Math.max(1, previous) && iteration > 0) break;
    previous = residual;
    const svd = new SingularValueDecomposition(xw.transpose().mmul(placed), { autoTranspose: true });
    full = svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose());
  }
  const out = new Float64Array(dims * p);
  for (let i = 0; i < dims; i++) for (let c = 0; c < p; c++) out[i * p + c] = full.get(i, c);
  // The SVD's factor is orthonormal to rounding; one more pass makes it so to the last bits.
  return { frame: orthonormalize(out, dims, p), residual };
}

function toRows(data: Float64Array, m: number, k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(Array.from(data.subarray(i * k, (i + 1) * k)));
  return rows;
}

function centred(data: Float64Array, m: number, k: number): Matrix {
  const matrix = new Matrix(toRows(data, m, k));
  const means = matrix.mean('column');
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) matrix.set(i, j, matrix.get(i, j) - means[j]);
  return matrix;
}

/** Sign of det(R), by Gaussian elimination with partial pivoting (only the sign is kept). */
function determinantSign(r: Matrix): number {
  const k = r.rows;
  const a = r.to2DArray();
  let sign = 1;
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let row = col + 1; row < k; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row;
    if (a[pivot][col] === 0) return 0;
    if (pivot !== col) {
      [a[pivot], a[col]] = [a[col], a[pivot]];
      sign = -sign;
    }
    if (a[col][col] < 0) sign = -sign;
    for (let row = col + 1; row < k; row++) {
      const f = a[row][col] / a[col][col];
      for (let c = col; c < k; c++) a[row][c] -= f * a[col][c];
    }
  }
  return sign;
}
