/**
 * Hover picking: the point nearest the pointer in the current projection. It projects
 * each candidate on the fly and keeps no N-sized array (a Float64Array(2N) was 16 MB at 1M
 * points). Candidates are either every point or the sample a level-of-detail frame drew,
 * so the tooltip names only points that are on screen.
 */

/**
 * Index of the point nearest (hx, hy) (view units) within `radius`, or -1. `basis` is d×k
 * row-major (x and y in its first two columns); `candidates` limits the search (null: all
 * n points); `skip` drops points (hidden classes).
 */
export function pickNearest(
  points: Float32Array,
  n: number,
  dims: number,
  basis: Float64Array,
  k: number,
  hx: number,
  hy: number,
  radius: number,
  candidates: Uint32Array | null = null,
  skip: ((p: number) => boolean) | null = null,
): number {
  const bx = new Float64Array(dims);
  const by = new Float64Array(dims);
  for (let i = 0; i < dims; i++) {
    bx[i] = basis[i * k];
    by[i] = basis[i * k + 1];
  }
  let best = -1;
  let bestDistance = radius * radius;
  const count = candidates ? candidates.length : n;
  for (let c = 0; c < count; c++) {
    const p = candidates ? candidates[c] : c;
    const row = p * dims;
    let x = -hx;
    let y = -hy;
    for (let i = 0; i < dims; i++) {
      const v = points[row + i];
      x += v * bx[i];
      y += v * by[i];
    }
    const d2 = x * x + y * y;
    if (d2 < bestDistance && !(skip && skip(p))) {
      bestDistance = d2;
      best = p;
    }
  }
  return best;
}
