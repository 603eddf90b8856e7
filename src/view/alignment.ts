/**
 * Aligning one tour onto another (the compare view): which tour is the partner, and the
 * rotation Q that turns this tour's points onto the partner's, applied before the shared
 * basis (shown basis = Q·B) so both sides show matching projections.
 */
import { orthogonalProcrustes } from '../core/procrustes';
import type { LayerData, TourSession } from './session';

/** Enough matched points to pin a rotation down, few enough to solve within a frame. */
const ALIGNMENT_SAMPLE = 2000;

/**
 * The other tour of a comparison among `sessions`: the one `self` aligns onto, or the one
 * that aligns onto `self` (the right side of compare() has no `_align` of its own). Null
 * when that tour is not on the page (yet).
 */
export function comparePartnerIn(
  self: TourSession,
  sessions: ReadonlyMap<string, { session: TourSession }>,
): TourSession | null {
  if (self.alignPartner) return sessions.get(self.alignPartner)?.session ?? null;
  if (!self.uid) return null;
  for (const { session } of sessions.values()) if (session !== self && session.alignPartner === self.uid) return session;
  return null;
}

/**
 * Q (d×d, row-major) with x·Q ≈ x_partner: orthogonal Procrustes (reflection guarded) on a
 * deterministic sample of matched points. Null when the layers do not match point for point.
 */
export function alignmentRotation(mine: LayerData, theirs: LayerData): Float64Array | null {
  if (mine.n !== theirs.n || mine.dims !== theirs.dims) return null;
  const dims = mine.dims;
  const stride = Math.max(1, Math.floor(mine.n / ALIGNMENT_SAMPLE));
  const m = Math.ceil(mine.n / stride);
  const a = new Float64Array(m * dims);
  const b = new Float64Array(m * dims);
  for (let r = 0, p = 0; p < mine.n; p += stride, r++) {
    for (let i = 0; i < dims; i++) {
      a[r * dims + i] = mine.points[p * dims + i];
      b[r * dims + i] = theirs.points[p * dims + i];
    }
  }
  return orthogonalProcrustes(a, b, m, dims).rotation;
}

/**
 * With Q applied, a shown d×k basis D comes from the shared B = Qᵀ·D: steering sets the
 * shared basis, so a drag on the aligned side must be undone through Q first.
 */
export function unrotateBasis(q: Float64Array | null, basis: Float64Array, k: number): Float64Array {
  const dims = basis.length / k;
  if (!q || q.length !== dims * dims) return basis;
  const out = new Float64Array(basis.length);
  for (let i = 0; i < dims; i++) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < dims; j++) sum += q[j * dims + i] * basis[j * k + c];
      out[i * k + c] = sum;
    }
  }
  return out;
}
