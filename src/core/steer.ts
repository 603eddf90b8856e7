/**
 * Drag-to-steer: move the view so that a handle's centroid follows the pointer while the
 * other handles stay where they were when the drag began (or, with no other handle, a
 * small context sample does, as far as it can). Each pointer move solves a weighted
 * projection-Procrustes problem for the whole d×3 frame, starting from the current one, so
 * the view changes continuously and stays exactly orthonormal.
 */
import { stiefelProcrustes } from './procrustes';

/** The dragged centroid outweighs everything held still: it must reach the pointer. */
const DRAGGED_WEIGHT = 1000;
/** Points sampled as context when no other handle holds the view. */
const CONTEXT_SAMPLES = 24;

export function centroidOf(points: Float32Array, dims: number, indices: ArrayLike<number>): Float64Array {
  const c = new Float64Array(dims);
  const count = indices.length;
  if (count === 0) return c;
  for (let k = 0; k < count; k++) {
    const row = indices[k] * dims;
    for (let i = 0; i < dims; i++) c[i] += points[row + i];
  }
  for (let i = 0; i < dims; i++) c[i] /= count;
  return c;
}

/** x·B[:, :2] for one d-vector. */
export function projectVector(vector: Float64Array, basis: Float64Array, k: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = 0; i < vector.length; i++) {
    x += vector[i] * basis[i * k];
    y += vector[i] * basis[i * k + 1];
  }
  return [x, y];
}

export interface DragState {
  dims: number;
  /** Row 0 is the dragged centroid; the rest are held still. */
  rows: Float64Array;
  m: number;
  targets: Float64Array;
  weights: Float64Array;
}

/**
 * Set up a drag of `dragged` among `centroids` (each a d-vector), under the basis on screen.
 * `context` supplies points to hold when there is no other handle.
 */
export function beginDrag(
  centroids: Float64Array[],
  dragged: number,
  basis: Float64Array,
  context: () => Float64Array[],
): DragState {
  const dims = centroids[dragged].length;
  const held = centroids.filter((_, i) => i !== dragged);
  const anchors = held.length > 0 ? held : context().slice(0, CONTEXT_SAMPLES);
  const m = 1 + anchors.length;
  const rows = new Float64Array(m * dims);
  const targets = new Float64Array(m * 2);
  const weights = new Float64Array(m);
  [centroids[dragged], ...anchors].forEach((vector, r) => {
    rows.set(vector, r * dims);
    const [x, y] = projectVector(vector, basis, 3);
    targets[2 * r] = x;
    targets[2 * r + 1] = y;
    // Context points share one unit of weight; handles weigh one each.
    weights[r] = r === 0 ? DRAGGED_WEIGHT : held.length > 0 ? 1 : 1 / anchors.length;
  });
  return { dims, rows, m, targets, weights };
}

/** The basis (d×3) that puts the dragged centroid at (x, y) in view units. */
export function dragTo(state: DragState, basis: Float64Array, x: number, y: number): Float64Array {
  state.targets[0] = x;
  state.targets[1] = y;
  return stiefelProcrustes(basis, 3, {
    rows: state.rows,
    m: state.m,
    dims: state.dims,
    targets: state.targets,
    q: 2,
    weights: state.weights,
  }).frame;
}

/** Evenly spaced indices outside `exclude`, for context (deterministic, no RNG). */
export function contextSample(n: number, exclude: ArrayLike<number>, count: number): number[] {
  const skip = new Set<number>(Array.from(exclude));
  const out: number[] = [];
  const step = Math.max(1, Math.floor(n / (count * 2)));
  for (let i = 0; i < n && out.length < count; i += step) if (!skip.has(i)) out.push(i);
  return out;
}
