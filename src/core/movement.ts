/**
 * Per-point distances between two placements of the same points, for colouring:
 *
 * - movement: how far each point moved from one layer to the next, ‖x_i − y_i‖₂;
 * - difference: how differently two models place each point once the first is rotated onto
 *   the second, ‖a_i·R − b_i‖₂ with R the orthogonal Procrustes rotation of a onto b.
 *
 * Layers of different widths are compared zero-padded to the larger d (the padded
 * coordinates are a point's position along directions the narrower layer lacks: zero).
 * Both take the normalised points as the front end holds them (row-major, n×d float32)
 * and run once per layer switch or pairing, never per frame.
 */
import { orthogonalProcrustes } from './procrustes';

/** Above this many points R is fitted on an evenly strided sample (distances use all points). */
export const PROCRUSTES_SAMPLE = 20_000;

/** ‖x_i − y_i‖₂ for every point, zero-padding the narrower layer. */
export function movement(x: ArrayLike<number>, dx: number, y: ArrayLike<number>, dy: number, n: number): Float32Array {
  checkShape(x, dx, n, 'first');
  checkShape(y, dy, n, 'second');
  const out = new Float32Array(n);
  const d = Math.max(dx, dy);
  for (let p = 0; p < n; p++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const a = j < dx ? x[p * dx + j] : 0;
      const b = j < dy ? y[p * dy + j] : 0;
      sum += (a - b) * (a - b);
    }
    out[p] = Math.sqrt(sum);
  }
  return out;
}

/**
 * ‖a_i·R − b_i‖₂ for every point, with R (d×d, det +1) the orthogonal Procrustes rotation of
 * a onto b, both zero-padded to d = max(da, db). A rotated copy gives zeros throughout.
 */
export function difference(
  a: ArrayLike<number>,
  da: number,
  b: ArrayLike<number>,
  db: number,
  n: number,
  sampleLimit = PROCRUSTES_SAMPLE,
): Float32Array {
  checkShape(a, da, n, 'first');
  checkShape(b, db, n, 'second');
  const d = Math.max(da, db);
  const rotation = procrustesRotation(a, da, b, db, n, d, sampleLimit);
  const out = new Float32Array(n);
  const row = new Float64Array(d);
  for (let p = 0; p < n; p++) {
    row.fill(0);
    for (let k = 0; k < da; k++) {
      const v = a[p * da + k];
      if (v === 0) continue;
      for (let j = 0; j < d; j++) row[j] += v * rotation[k * d + j];
    }
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const e = row[j] - (j < db ? b[p * db + j] : 0);
      sum += e * e;
    }
    out[p] = Math.sqrt(sum);
  }
  return out;
}

/** R (d×d, row-major) from an evenly strided sample of at most `limit` matched points. */
function procrustesRotation(
  a: ArrayLike<number>,
  da: number,
  b: ArrayLike<number>,
  db: number,
  n: number,
  d: number,
  limit: number,
): Float64Array {
  const stride = Math.max(1, Math.ceil(n / Math.max(limit, 1)));
  const m = Math.ceil(n / stride);
  const source = new Float64Array(m * d);
  const target = new Float64Array(m * d);
  for (let r = 0, p = 0; p < n; p += stride, r++) {
    for (let j = 0; j < da; j++) source[r * d + j] = a[p * da + j];
    for (let j = 0; j < db; j++) target[r * d + j] = b[p * db + j];
  }
  return orthogonalProcrustes(source, target, m, d).rotation;
}

function checkShape(points: ArrayLike<number>, dims: number, n: number, which: string): void {
  if (points.length !== n * dims) {
    throw new Error(`[grandtour] ${which} layer holds ${points.length} values, expected ${n}×${dims}`);
  }
}
