/**
 * What a view looks along: the tour R(t) composed with a frame F that interaction moves.
 * The basis drawn at tour time t is B(t) = R(t)·F (d×3: x, y and depth). Steering, or
 * setting the projection from Python, changes F so that B(t) becomes what was asked for
 * at that instant; the tour then carries on from there, with no jump.
 */
import { identityFrame, orthonormalize, widenFrame } from './frame';
import { createTourPlan, rotateFrame, unrotateFrame, type TourPlan } from './tour';

/** x, y, and a third axis kept for depth cues. */
export const VIEW_COLUMNS = 3;

export interface Orientation {
  readonly plan: TourPlan;
  /** d×3 orthonormal frame in the tour's moving coordinates. */
  frame: Float64Array;
}

export function createOrientation(dims: number, seed: number): Orientation {
  return { plan: createTourPlan(dims, seed), frame: identityFrame(dims, VIEW_COLUMNS) };
}

/** B(t) = R(t)·F, d×3 row-major, written into `out` when given (no allocation per frame). */
export function basisAt(orientation: Orientation, time: number, out?: Float64Array): Float64Array {
  const basis = out ?? new Float64Array(orientation.frame.length);
  basis.set(orientation.frame);
  return rotateFrame(orientation.plan, time, basis, VIEW_COLUMNS);
}

/**
 * Make B(time) equal `basis` (d×k, k = 2 or 3, orthonormal columns). With k = 2 the depth
 * axis is completed from the current one, so a view set from Python keeps its depth cue.
 */
export function setBasisAt(orientation: Orientation, time: number, basis: Float64Array, k: number): void {
  const dims = orientation.plan.dims;
  let full: Float64Array;
  if (k === VIEW_COLUMNS) {
    full = orthonormalize(Float64Array.from(basis), dims, VIEW_COLUMNS);
  } else if (k === 2) {
    full = widenFrame(basis, dims, 2, VIEW_COLUMNS);
    const current = basisAt(orientation, time);
    for (let i = 0; i < dims; i++) full[i * 3 + 2] = current[i * 3 + 2];
    orthonormalize(full, dims, VIEW_COLUMNS);
  } else {
    throw new RangeError(`[grandtour] a basis has 2 or 3 columns, got ${k}`);
  }
  orientation.frame = unrotateFrame(orientation.plan, time, full, VIEW_COLUMNS);
}
