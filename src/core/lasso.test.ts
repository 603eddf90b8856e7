import { createRandom } from './random';
import { pointInPolygon, projectRows, selectInPolygon, selectProjected } from './lasso';
import { basisAt, createOrientation } from './orientation';
import { pixelToView, viewToClip, viewToPixel, createViewport } from './viewport';

function randomPoints(n: number, d: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const points = new Float32Array(n * d);
  for (let i = 0; i < points.length; i++) points[i] = (random() * 2 - 1) / Math.sqrt(d);
  return points;
}

describe('lasso hit-test', () => {
  test('agrees with a direct CPU projection of every point', () => {
    const n = 3000;
    const d = 15;
    const points = randomPoints(n, d, 1);
    const basis = basisAt(createOrientation(d, 9), 12.3);
    // A star-shaped, self-intersecting-free polygon around the middle.
    const polygon: number[] = [];
    for (let a = 0; a < 24; a++) {
      const r = a % 2 === 0 ? 0.35 : 0.15;
      polygon.push(r * Math.cos((a * Math.PI) / 12), r * Math.sin((a * Math.PI) / 12));
    }
    const hits = selectInPolygon(points, n, d, basis, 3, polygon);
    const expected: number[] = [];
    for (let p = 0; p < n; p++) {
      let x = 0;
      let y = 0;
      for (let i = 0; i < d; i++) {
        x += points[p * d + i] * basis[i * 3];
        y += points[p * d + i] * basis[i * 3 + 1];
      }
      if (pointInPolygon(x, y, polygon)) expected.push(p);
    }
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(n);
    expect(Array.from(hits)).toEqual(expected);
  });

  test('point in polygon follows the even-odd rule', () => {
    const square = [0, 0, 1, 0, 1, 1, 0, 1];
    expect(pointInPolygon(0.5, 0.5, square)).toBe(true);
    expect(pointInPolygon(1.5, 0.5, square)).toBe(false);
    expect(pointInPolygon(-0.1, 0.5, square)).toBe(false);
  });

  test('a degenerate lasso selects nothing', () => {
    const points = randomPoints(10, 3, 2);
    const basis = basisAt(createOrientation(3, 1), 0);
    expect(selectInPolygon(points, 10, 3, basis, 3, [0, 0, 1, 1]).length).toBe(0);
  });
});

describe('viewport', () => {
  test('pixel and view units invert each other, and the shader map agrees', () => {
    const vp = { ...createViewport(640, 480), zoom: 1.7, panX: 13, panY: -21 };
    const [px, py] = viewToPixel(vp, 0.3, -0.4);
    const [x, y] = pixelToView(vp, px, py);
    expect(x).toBeCloseTo(0.3, 12);
    expect(y).toBeCloseTo(-0.4, 12);
    const [sx, sy, tx, ty] = viewToClip(vp);
    // clip → pixel as the rasterizer does it (y down).
    expect(((0.3 * sx + tx + 1) / 2) * vp.width).toBeCloseTo(px, 9);
    expect(((1 - (-0.4 * sy + ty)) / 2) * vp.height).toBeCloseTo(py, 9);
  });

  test('the unit disc fits the canvas', () => {
    const vp = createViewport(300, 200);
    const [, top] = viewToPixel(vp, 0, 1);
    const [, bottom] = viewToPixel(vp, 0, -1);
    expect(top).toBeGreaterThan(0);
    expect(bottom).toBeLessThan(200);
  });
});

describe('lasso hit-test, the grid against the exact test', () => {
  test('every point agrees with pointInPolygon, for hand-drawn and self-crossing lassos', () => {
    const n = 40_000;
    const d = 6;
    const points = randomPoints(n, d, 5);
    const basis = basisAt(createOrientation(d, 3), 4.2);
    const random = createRandom(11);
    const lassos: number[][] = [];
    // A wobbly loop of many short segments, as a hand draws it (closed by a long edge).
    const loop: number[] = [];
    for (let a = 0; a < 300; a++) {
      const t = (a / 300) * 1.8 * Math.PI;
      const r = 0.3 + 0.1 * Math.sin(7 * t) + 0.02 * random();
      loop.push(r * Math.cos(t), r * Math.sin(t));
    }
    lassos.push(loop);
    // A figure eight (self-crossing) and a thin sliver.
    const eight: number[] = [];
    for (let a = 0; a < 100; a++) {
      const t = (a / 100) * 2 * Math.PI;
      eight.push(0.4 * Math.sin(t), 0.2 * Math.sin(2 * t));
    }
    lassos.push(eight, [-0.4, -0.001, 0.4, 0.0, 0.4, 0.002, -0.4, 0.001]);
    for (const polygon of lassos) {
      const hits = selectInPolygon(points, n, d, basis, 3, polygon);
      const expected: number[] = [];
      for (let p = 0; p < n; p++) {
        let x = 0;
        let y = 0;
        for (let i = 0; i < d; i++) {
          x += points[p * d + i] * basis[i * 3];
          y += points[p * d + i] * basis[i * 3 + 1];
        }
        if (pointInPolygon(x, y, polygon)) expected.push(p);
      }
      expect(expected.length).toBeGreaterThan(10);
      expect(Array.from(hits)).toEqual(expected);
      // Projected ahead in uneven slices (as while a lasso is drawn), the same points.
      const xy = new Float64Array(2 * n);
      for (let from = 0; from < n; from += 7_777) projectRows(points, d, basis, 3, from, Math.min(n, from + 7_777), xy);
      expect(Array.from(selectProjected(xy, n, polygon))).toEqual(expected);
    }
  });
});
