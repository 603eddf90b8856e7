/**
 * Orthonormal d×k frames (row-major Float64Array): the basis a view projects onto.
 */

/** The first k standard axes. */
export function identityFrame(dims: number, k: number): Float64Array {
  const frame = new Float64Array(dims * k);
  for (let c = 0; c < Math.min(dims, k); c++) frame[c * k + c] = 1;
  return frame;
}

/** max |FᵀF − I|: how far a frame is from orthonormal. */
export function orthonormalityError(frame: Float64Array, dims: number, k: number): number {
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let dot = 0;
      for (let i = 0; i < dims; i++) dot += frame[i * k + a] * frame[i * k + b];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

/**
 * Modified Gram–Schmidt on the columns, in order, twice (once is not enough in floating
 * point when columns are nearly dependent). A column that vanishes is replaced by the
 * standard axis least represented so far, so the result is always a full orthonormal frame.
 */
export function orthonormalize(frame: Float64Array, dims: number, k: number): Float64Array {
  for (let c = 0; c < k; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let prev = 0; prev < c; prev++) subtractProjection(frame, dims, k, c, prev);
    }
    let norm = columnNorm(frame, dims, k, c);
    if (norm < 1e-10) {
      fillWithFreshAxis(frame, dims, k, c);
      for (let pass = 0; pass < 2; pass++) {
        for (let prev = 0; prev < c; prev++) subtractProjection(frame, dims, k, c, prev);
      }
      norm = columnNorm(frame, dims, k, c);
    }
    for (let i = 0; i < dims; i++) frame[i * k + c] /= norm;
  }
  return frame;
}

/** Widen a d×k0 orthonormal frame to d×k1 (k1 ≥ k0), completing it with orthonormal columns. */
export function widenFrame(frame: Float64Array, dims: number, k0: number, k1: number): Float64Array {
  const wide = new Float64Array(dims * k1);
  for (let i = 0; i < dims; i++) {
    for (let c = 0; c < k0; c++) wide[i * k1 + c] = frame[i * k0 + c];
  }
  for (let c = k0; c < k1; c++) fillWithFreshAxis(wide, dims, k1, c);
  return orthonormalize(wide, dims, k1);
}

/** Keep the first k1 columns of a d×k0 frame. */
export function narrowFrame(frame: Float64Array, dims: number, k0: number, k1: number): Float64Array {
  const out = new Float64Array(dims * k1);
  for (let i = 0; i < dims; i++) {
    for (let c = 0; c < k1; c++) out[i * k1 + c] = frame[i * k0 + c];
  }
  return out;
}

function subtractProjection(frame: Float64Array, dims: number, k: number, c: number, onto: number): void {
  let dot = 0;
  for (let i = 0; i < dims; i++) dot += frame[i * k + c] * frame[i * k + onto];
  for (let i = 0; i < dims; i++) frame[i * k + c] -= dot * frame[i * k + onto];
}

function columnNorm(frame: Float64Array, dims: number, k: number, c: number): number {
  let sum = 0;
  for (let i = 0; i < dims; i++) sum += frame[i * k + c] ** 2;
  return Math.sqrt(sum);
}

/** Put into column c the standard axis with the least weight in columns 0..c-1. */
function fillWithFreshAxis(frame: Float64Array, dims: number, k: number, c: number): void {
  let best = 0;
  let bestWeight = Infinity;
  for (let i = 0; i < dims; i++) {
    let weight = 0;
    for (let prev = 0; prev < c; prev++) weight += frame[i * k + prev] ** 2;
    if (weight < bestWeight - 1e-12) {
      bestWeight = weight;
      best = i;
    }
  }
  for (let i = 0; i < dims; i++) frame[i * k + c] = i === best ? 1 : 0;
}

/** out = A·B for row-major A (m×m) and B (m×k). */
export function multiplyInto(a: Float64Array, b: Float64Array, m: number, k: number, out: Float64Array): Float64Array {
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < m; j++) sum += a[i * m + j] * b[j * k + c];
      out[i * k + c] = sum;
    }
  }
  return out;
}

