/**
 * The one projection: view = x · B for a point x (1×d) and a basis B (d×k). The renderer
 * runs it in the vertex shader (render/scene packs B into vec4 uniforms, four
 * coordinates per chunk, matching the points' layout); brushing runs it on the CPU
 * through projectPoints. Both take the same basis, so what is selected is what is drawn.
 */

/** Points as x, y pairs in view units (the first two basis columns). */
export function projectPoints(
  points: Float32Array,
  n: number,
  dims: number,
  basis: Float64Array,
  k: number,
  out: Float64Array = new Float64Array(n * 2),
): Float64Array {
  for (let p = 0; p < n; p++) {
    const row = p * dims;
    let x = 0;
    let y = 0;
    for (let i = 0; i < dims; i++) {
      const v = points[row + i];
      x += v * basis[i * k];
      y += v * basis[i * k + 1];
    }
    out[2 * p] = x;
    out[2 * p + 1] = y;
  }
  return out;
}

/** How many vec4 chunks hold d coordinates. */
export function chunkCount(dims: number): number {
  return Math.ceil(dims / 4);
}
