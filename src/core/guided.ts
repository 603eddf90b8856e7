/**
 * The guided tour: a pull toward projections that separate the classes, blended with the
 * random tour. What it optimises is the LDA (Fisher) class-separation index of the 2-D
 * projection onto the view's first two axes P (d×2, orthonormal):
 *
 *     I(P) = tr((PᵀWP)⁻¹ PᵀBP)
 *
 * with W the pooled within-class scatter and B the between-class scatter of the current
 * layer's normalised points (d×d, computed once per layer from the labels, on a fixed sample
 * of at most a few thousand points). I is the sum of the two generalised eigenvalues of
 * (PᵀBP, PᵀWP): how far apart the projected class means are, measured in units of the
 * projected within-class spread. It does not depend on the scale of the data nor on a
 * rotation within the view plane, and it is largest on the plane of the top two discriminant
 * directions. W is regularised (W + λ·tr(W)/d·I, λ = 0.05) so that directions along which
 * the classes happen to have almost no spread (dead units, a UMAP dimension with little
 * variance) cannot win by dividing by nearly zero.
 *
 * A step moves the whole d×3 frame (x, y, depth) uphill on the Stiefel manifold: the
 * Euclidean gradient G = 2·(B·P·A⁻¹ − W·P·A⁻¹·C·A⁻¹) (A = PᵀWP, C = PᵀBP) of the first two
 * columns, projected onto the tangent space at the frame, ξ = E − F·sym(FᵀE), then retracted
 * by Gram–Schmidt, so the frame stays exactly orthonormal. The step length is capped by
 * the caller's budget, shrinks in proportion to the gradient near a maximum and is halved
 * while it would lower the index, so the view settles instead of dithering.
 */
import { orthonormalize } from './frame';
import { createRandom } from './random';

/** Ridge added to W, as a share of its mean eigenvalue. */
export const WITHIN_RIDGE = 0.05;
/** Most points the scatter matrices are computed from: O(m·d²), once per layer. */
const MAX_SAMPLE = 5000;
/** Fewest points sampled when d is large (the budget m·d² would allow fewer). */
const MIN_SAMPLE = 500;
const SCATTER_BUDGET = 4e7;
/**
 * Below this relative gradient (‖ξ‖ / I) the step shrinks in proportion: near the top the
 * view eases into the maximum rather than overshooting it.
 */
const EASE_GRADIENT = 0.1;

export interface ClassScatter {
  readonly dims: number;
  /** d×d row-major, regularised. */
  readonly within: Float64Array;
  /** d×d row-major. */
  readonly between: Float64Array;
  /** Classes with at least one sampled point. */
  readonly classes: number;
}

/**
 * Within- and between-class scatter of `points` (n×d row-major) labelled by `codes`,
 * over a deterministic random sample. Null when fewer than two classes have points:
 * there is nothing to separate.
 */
export function classScatter(
  points: ArrayLike<number>,
  n: number,
  dims: number,
  codes: ArrayLike<number>,
): ClassScatter | null {
  const budget = Math.floor(SCATTER_BUDGET / (dims * dims));
  const m = Math.min(n, Math.max(MIN_SAMPLE, Math.min(MAX_SAMPLE, budget)));
  // A random sample, not a stride: labels are often in a periodic order.
  const sample = new Uint32Array(m);
  if (m === n) {
    for (let i = 0; i < n; i++) sample[i] = i;
  } else {
    const random = createRandom(0x5eed);
    for (let i = 0; i < m; i++) sample[i] = Math.floor(random() * n);
  }
  let numCodes = 0;
  for (const p of sample) numCodes = Math.max(numCodes, codes[p] + 1);
  const counts = new Float64Array(numCodes);
  const means = new Float64Array(numCodes * dims);
  const mean = new Float64Array(dims);
  for (const p of sample) {
    const c = codes[p];
    counts[c]++;
    for (let i = 0; i < dims; i++) {
      const v = points[p * dims + i];
      means[c * dims + i] += v;
      mean[i] += v;
    }
  }
  let classes = 0;
  for (let c = 0; c < numCodes; c++) {
    if (counts[c] === 0) continue;
    classes++;
    for (let i = 0; i < dims; i++) means[c * dims + i] /= counts[c];
  }
  if (classes < 2) return null;
  for (let i = 0; i < dims; i++) mean[i] /= m;

  const within = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (const p of sample) {
    const c = codes[p];
    for (let i = 0; i < dims; i++) centred[i] = points[p * dims + i] - means[c * dims + i];
    for (let i = 0; i < dims; i++) {
      const a = centred[i];
      if (a === 0) continue;
      const row = i * dims;
      for (let j = i; j < dims; j++) within[row + j] += a * centred[j];
    }
  }
  const between = new Float64Array(dims * dims);
  for (let c = 0; c < numCodes; c++) {
    if (counts[c] === 0) continue;
    for (let i = 0; i < dims; i++) centred[i] = means[c * dims + i] - mean[i];
    for (let i = 0; i < dims; i++) {
      for (let j = i; j < dims; j++) between[i * dims + j] += counts[c] * centred[i] * centred[j];
    }
  }
  let trace = 0;
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      within[i * dims + j] /= m;
      between[i * dims + j] /= m;
      within[j * dims + i] = within[i * dims + j];
      between[j * dims + i] = between[i * dims + j];
    }
    trace += within[i * dims + i];
  }
  const ridge = WITHIN_RIDGE * (trace / dims) + 1e-12;
  for (let i = 0; i < dims; i++) within[i * dims + i] += ridge;
  return { dims, within, between, classes };
}

interface IndexParts {
  value: number;
  /** d×2 row-major Euclidean gradient with respect to the first two columns. */
  gradient: Float64Array;
}

/** M·F[:, :2] for symmetric d×d M and a d×k frame: d×2 row-major. */
function timesPlane(matrix: Float64Array, frame: ArrayLike<number>, dims: number, k: number, out: Float64Array): Float64Array {
  for (let i = 0; i < dims; i++) {
    let x = 0;
    let y = 0;
    const row = i * dims;
    for (let j = 0; j < dims; j++) {
      const m = matrix[row + j];
      x += m * frame[j * k];
      y += m * frame[j * k + 1];
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

function parts(scatter: ClassScatter, frame: ArrayLike<number>, k: number, withGradient: boolean): IndexParts {
  const d = scatter.dims;
  const wp = timesPlane(scatter.within, frame, d, k, new Float64Array(2 * d));
  const bp = timesPlane(scatter.between, frame, d, k, new Float64Array(2 * d));
  // A = PᵀWP and C = PᵀBP, 2×2 symmetric.
  let a00 = 0;
  let a01 = 0;
  let a11 = 0;
  let c00 = 0;
  let c01 = 0;
  let c11 = 0;
  for (let i = 0; i < d; i++) {
    const px = frame[i * k];
    const py = frame[i * k + 1];
    a00 += px * wp[2 * i];
    a01 += px * wp[2 * i + 1];
    a11 += py * wp[2 * i + 1];
    c00 += px * bp[2 * i];
    c01 += px * bp[2 * i + 1];
    c11 += py * bp[2 * i + 1];
  }
  const det = a00 * a11 - a01 * a01;
  // A⁻¹ (W is regularised, so A is positive definite for orthonormal P).
  const i00 = a11 / det;
  const i01 = -a01 / det;
  const i11 = a00 / det;
  // A⁻¹C.
  const m00 = i00 * c00 + i01 * c01;
  const m01 = i00 * c01 + i01 * c11;
  const m10 = i01 * c00 + i11 * c01;
  const m11 = i01 * c01 + i11 * c11;
  const value = m00 + m11;
  const gradient = new Float64Array(2 * d);
  if (!withGradient) return { value, gradient };
  // N = A⁻¹·C·A⁻¹ (symmetric).
  const n00 = m00 * i00 + m01 * i01;
  const n01 = m00 * i01 + m01 * i11;
  const n11 = m10 * i01 + m11 * i11;
  for (let i = 0; i < d; i++) {
    const bx = bp[2 * i];
    const by = bp[2 * i + 1];
    const wx = wp[2 * i];
    const wy = wp[2 * i + 1];
    gradient[2 * i] = 2 * (bx * i00 + by * i01 - (wx * n00 + wy * n01));
    gradient[2 * i + 1] = 2 * (bx * i01 + by * i11 - (wx * n01 + wy * n11));
  }
  return { value, gradient };
}

/** I(P) for the first two columns of a d×k frame (row-major). */
export function separationIndex(scatter: ClassScatter, frame: ArrayLike<number>, k: number): number {
  return parts(scatter, frame, k, false).value;
}

/** ∂I/∂P, d×2 row-major, for the first two columns of a d×k frame. */
export function separationGradient(scatter: ClassScatter, frame: ArrayLike<number>, k: number): Float64Array {
  return parts(scatter, frame, k, true).gradient;
}

/**
 * One step uphill: a new d×k frame (k ≥ 2, orthonormal in and out) at most `budget` away
 * (Frobenius norm of the change, roughly radians for small steps). Returns the input
 * unchanged (a copy) at a critical point.
 */
export function guidedStep(scatter: ClassScatter, frame: Float64Array, k: number, budget: number): Float64Array {
  const d = scatter.dims;
  const out = Float64Array.from(frame);
  if (!(budget > 0)) return out;
  const { value, gradient } = parts(scatter, frame, k, true);
  // FᵀE (k×k) with E = [G | 0]: only its first two columns are non-zero.
  const fte = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < 2; b++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += frame[i * k + a] * gradient[2 * i + b];
      fte[a * k + b] = sum;
    }
  }
  // ξ = E − F·sym(FᵀE): the part of the gradient along the manifold.
  const xi = new Float64Array(d * k);
  let norm2 = 0;
  for (let i = 0; i < d; i++) {
    for (let b = 0; b < k; b++) {
      let v = b < 2 ? gradient[2 * i + b] : 0;
      for (let a = 0; a < k; a++) v -= frame[i * k + a] * 0.5 * (fte[a * k + b] + fte[b * k + a]);
      xi[i * k + b] = v;
      norm2 += v * v;
    }
  }
  const norm = Math.sqrt(norm2);
  if (!(norm > 1e-15) || !Number.isFinite(norm)) return out;
  let scale = (budget * Math.min(1, norm / (EASE_GRADIENT * Math.max(Math.abs(value), 1e-12)))) / norm;
  // Halve a step that overshoots a sharp peak: the index never goes down.
  for (let attempt = 0; attempt < 8; attempt++, scale /= 2) {
    for (let i = 0; i < out.length; i++) out[i] = frame[i] + scale * xi[i];
    orthonormalize(out, d, k);
    if (separationIndex(scatter, out, k) >= value) return out;
  }
  out.set(frame);
  return out;
}
