import { projectPoints } from '../core/projection';
import { createRandom } from '../core/random';
import { pickNearest } from './hover-pick';

function cloud(n: number, dims: number): Float32Array {
  const random = createRandom(3);
  return Float32Array.from({ length: n * dims }, () => random() * 2 - 1);
}

/** A d×3 basis: x = e0, y = e1, z = e2. */
function axes(dims: number): Float64Array {
  const basis = new Float64Array(dims * 3);
  basis[0] = 1;
  basis[4] = 1;
  basis[8] = 1;
  return basis;
}

describe('pickNearest', () => {
  it('finds the point a brute force over projectPoints finds', () => {
    const n = 2000;
    const dims = 7;
    const points = cloud(n, dims);
    const basis = axes(dims);
    const xy = projectPoints(points, n, dims, basis, 3);
    for (const [hx, hy] of [[0.1, -0.2], [0.5, 0.5], [-0.9, 0.3]]) {
      let best = -1;
      let bestD = 0.05 * 0.05;
      for (let p = 0; p < n; p++) {
        const d = (xy[2 * p] - hx) ** 2 + (xy[2 * p + 1] - hy) ** 2;
        if (d < bestD) {
          bestD = d;
          best = p;
        }
      }
      expect(pickNearest(points, n, dims, basis, 3, hx, hy, 0.05)).toBe(best);
    }
  });

  it('returns -1 when nothing is within the radius', () => {
    const points = Float32Array.from([5, 5, 6, 6]);
    expect(pickNearest(points, 2, 2, Float64Array.from([1, 0, 0, 1]), 2, 0, 0, 1)).toBe(-1);
  });

  it('searches only the candidates, and skips what it is told to', () => {
    const points = Float32Array.from([0, 0, 0.1, 0, 0.2, 0]);
    const basis = Float64Array.from([1, 0, 0, 1]);
    expect(pickNearest(points, 3, 2, basis, 2, 0, 0, 1)).toBe(0);
    expect(pickNearest(points, 3, 2, basis, 2, 0, 0, 1, Uint32Array.from([2, 1]))).toBe(1);
    expect(pickNearest(points, 3, 2, basis, 2, 0, 0, 1, null, (p) => p === 0)).toBe(1);
  });
});
