import { difference, movement } from './movement';
import { createRandom } from './random';

function randomPoints(n: number, d: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const points = new Float32Array(n * d);
  for (let i = 0; i < points.length; i++) points[i] = random() * 2 - 1;
  return points;
}

/** A random proper rotation (d×d, row-major) by Gram–Schmidt, the last row sign-fixed. */
function randomRotation(d: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) q[i * d + j] = random() * 2 - 1;
    for (let k = 0; k < i; k++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[i * d + j] * q[k * d + j];
      for (let j = 0; j < d; j++) q[i * d + j] -= dot * q[k * d + j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += q[i * d + j] ** 2;
    for (let j = 0; j < d; j++) q[i * d + j] /= Math.sqrt(norm);
  }
  // det(q) = ±1; a mirror image is not a rotation.
  if (determinant(q, d) < 0) for (let j = 0; j < d; j++) q[j] = -q[j];
  return q;
}

function determinant(m: Float64Array, d: number): number {
  const a = Array.from({ length: d }, (_, i) => Array.from(m.subarray(i * d, (i + 1) * d)));
  let det = 1;
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    if (pivot !== c) {
      [a[pivot], a[c]] = [a[c], a[pivot]];
      det = -det;
    }
    det *= a[c][c];
    for (let r = c + 1; r < d; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < d; k++) a[r][k] -= f * a[c][k];
    }
  }
  return det;
}

function times(points: Float32Array, n: number, d: number, r: Float64Array): Float32Array {
  const out = new Float32Array(n * d);
  for (let p = 0; p < n; p++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += points[p * d + k] * r[k * d + j];
      out[p * d + j] = s;
    }
  return out;
}

function centre(points: Float32Array, n: number, d: number): Float32Array {
  const out = Float32Array.from(points);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let p = 0; p < n; p++) mean += points[p * d + j];
    mean /= n;
    for (let p = 0; p < n; p++) out[p * d + j] -= mean;
  }
  return out;
}

describe('movement', () => {
  test('identical layers: every point stays put', () => {
    const x = randomPoints(500, 7, 1);
    expect(Math.max(...movement(x, 7, Float32Array.from(x), 7, 500))).toBe(0);
  });

  test('a known shift moves every point by its length', () => {
    const n = 300;
    const d = 4;
    const x = randomPoints(n, d, 2);
    const shift = [0.3, -0.4, 0, 1.2]; // length 1.3
    const y = x.map((v, i) => v + shift[i % d]);
    const m = movement(x, d, y, d, n);
    for (const v of m) expect(v).toBeCloseTo(1.3, 5);
  });

  test('layers of different widths compare zero-padded', () => {
    // y = [x, c]: the extra coordinate is all the movement there is.
    const n = 50;
    const x = randomPoints(n, 2, 3);
    const extra = randomPoints(n, 1, 4);
    const y = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) y.set([x[2 * p], x[2 * p + 1], extra[p]], 3 * p);
    const m = movement(x, 2, y, 3, n);
    const back = movement(y, 3, x, 2, n);
    for (let p = 0; p < n; p++) {
      expect(m[p]).toBeCloseTo(Math.abs(extra[p]), 6);
      expect(back[p]).toBe(m[p]);
    }
  });

  test('a shape mismatch is an error, not garbage', () => {
    expect(() => movement(new Float32Array(6), 3, new Float32Array(5), 3, 2)).toThrow(/second layer/);
  });
});

describe('difference', () => {
  test('identical placements differ by zero', () => {
    const a = centre(randomPoints(400, 6, 5), 400, 6);
    const diff = difference(a, 6, Float32Array.from(a), 6, 400);
    expect(Math.max(...diff)).toBeLessThan(1e-5);
  });

  test('a rotated copy differs by zero', () => {
    const n = 800;
    const d = 9;
    const a = centre(randomPoints(n, d, 6), n, d);
    const b = times(a, n, d, randomRotation(d, 7));
    const diff = difference(a, d, b, d, n);
    expect(Math.max(...diff)).toBeLessThan(1e-4);
  });

  test('a rotated copy differs by zero with R fitted on a sample', () => {
    const n = 3000;
    const d = 5;
    const a = centre(randomPoints(n, d, 8), n, d);
    const b = times(a, n, d, randomRotation(d, 9));
    expect(Math.max(...difference(a, d, b, d, n, 200))).toBeLessThan(1e-4);
  });

  test('a translated copy differs by the translation (R is the identity)', () => {
    const n = 200;
    const d = 3;
    const a = centre(randomPoints(n, d, 10), n, d);
    const b = a.map((v, i) => v + [0.6, 0, 0.8][i % d]);
    for (const v of difference(a, d, b, d, n)) expect(v).toBeCloseTo(1, 5);
  });

  test('one moved point stands out in a rotated copy', () => {
    const n = 600;
    const d = 4;
    const a = centre(randomPoints(n, d, 11), n, d);
    const b = times(a, n, d, randomRotation(d, 12));
    b[17 * d] += 0.5;
    const diff = difference(a, d, b, d, n);
    // The outlier barely moves R (1 in 600): it keeps almost all of its 0.5.
    expect(diff[17]).toBeGreaterThan(0.45);
    const others = Array.from(diff).filter((_, p) => p !== 17);
    expect(Math.max(...others)).toBeLessThan(0.02);
  });

  test('widths differ: a 2-D cloud against itself rotated into 3-D', () => {
    const n = 300;
    const a = centre(randomPoints(n, 2, 13), n, 2);
    const r = randomRotation(3, 14);
    const padded = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) padded.set([a[2 * p], a[2 * p + 1], 0], 3 * p);
    const b = times(padded, n, 3, r);
    expect(Math.max(...difference(a, 2, b, 3, n))).toBeLessThan(1e-4);
  });
});
