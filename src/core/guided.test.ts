import { CholeskyDecomposition, EigenvalueDecomposition, inverse, Matrix } from 'ml-matrix';
import { classScatter, guidedStep, separationGradient, separationIndex, type ClassScatter } from './guided';
import { orthonormalityError, orthonormalize } from './frame';
import { basisAt, createOrientation, setBasisAt } from './orientation';
import { createRandom } from './random';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/**
 * k classes in d dimensions that differ only along two hidden directions (coordinates 3
 * and 7), with more noise in every other direction than between the classes: a random
 * projection shows a blur, the right one shows k clusters.
 */
function planted(n: number, d: number, k: number, seed: number): { points: Float32Array; codes: Uint8Array } {
  const random = createRandom(seed);
  const points = new Float32Array(n * d);
  const codes = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const c = p % k;
    codes[p] = c;
    for (let i = 0; i < d; i++) points[p * d + i] = 0.6 * gaussian(random);
    points[p * d + 3] = Math.cos((2 * Math.PI * c) / k) + 0.12 * gaussian(random);
    points[p * d + 7] = Math.sin((2 * Math.PI * c) / k) + 0.12 * gaussian(random);
  }
  return { points, codes };
}

function randomFrame(d: number, k: number, random: () => number): Float64Array {
  return orthonormalize(Float64Array.from({ length: d * k }, () => gaussian(random)), d, k);
}

/** The largest I over all orthonormal P: the sum of the top two eigenvalues of W⁻¹B. */
function optimum(scatter: ClassScatter): number {
  const d = scatter.dims;
  const w = new Matrix(Array.from({ length: d }, (_, i) => Array.from(scatter.within.subarray(i * d, (i + 1) * d))));
  const b = new Matrix(Array.from({ length: d }, (_, i) => Array.from(scatter.between.subarray(i * d, (i + 1) * d))));
  const l = new CholeskyDecomposition(w).lowerTriangularMatrix;
  const li = inverse(l);
  const s = li.mmul(b).mmul(li.transpose());
  const values = new EigenvalueDecomposition(s.add(s.transpose()).mul(0.5)).realEigenvalues.sort((x, y) => y - x);
  return values[0] + values[1];
}

describe('guided tour', () => {
  const d = 10;
  const { points, codes } = planted(3000, d, 4, 7);
  const scatter = classScatter(points, 3000, d, codes);

  test('scatter matrices are symmetric and W is positive definite', () => {
    expect(scatter).not.toBeNull();
    const s = scatter as ClassScatter;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        expect(s.within[i * d + j]).toBeCloseTo(s.within[j * d + i], 12);
        expect(s.between[i * d + j]).toBeCloseTo(s.between[j * d + i], 12);
      }
    }
    expect(() => new CholeskyDecomposition(new Matrix(Array.from({ length: d }, (_, i) => Array.from(s.within.subarray(i * d, (i + 1) * d)))))).not.toThrow();
    expect(s.classes).toBe(4);
  });

  test('one class has nothing to separate', () => {
    expect(classScatter(points, 3000, d, new Uint8Array(3000))).toBeNull();
  });

  test('the analytic gradient matches finite differences', () => {
    const s = scatter as ClassScatter;
    const random = createRandom(3);
    for (let trial = 0; trial < 5; trial++) {
      const frame = randomFrame(d, 3, random);
      const gradient = separationGradient(s, frame, 3);
      const h = 1e-6;
      for (let i = 0; i < d; i++) {
        for (let c = 0; c < 2; c++) {
          const plus = Float64Array.from(frame);
          const minus = Float64Array.from(frame);
          plus[i * 3 + c] += h;
          minus[i * 3 + c] -= h;
          const numeric = (separationIndex(s, plus, 3) - separationIndex(s, minus, 3)) / (2 * h);
          expect(Math.abs(numeric - gradient[2 * i + c])).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric)));
        }
      }
    }
  });

  test('the index increases along the guided path and ends far above the start, near the optimum', () => {
    const s = scatter as ClassScatter;
    const best = optimum(s);
    const random = createRandom(11);
    for (let trial = 0; trial < 8; trial++) {
      let frame = randomFrame(d, 3, random);
      const start = separationIndex(s, frame, 3);
      let previous = start;
      let worstOrtho = 0;
      for (let step = 0; step < 1000; step++) {
        frame = guidedStep(s, frame, 3, 0.02);
        const value = separationIndex(s, frame, 3);
        expect(value).toBeGreaterThanOrEqual(previous - 1e-9);
        previous = value;
        worstOrtho = Math.max(worstOrtho, orthonormalityError(frame, d, 3));
      }
      expect(worstOrtho).toBeLessThan(1e-9);
      expect(previous).toBeGreaterThan(5 * start);
      expect(previous).toBeGreaterThan(0.98 * best);
    }
  });

  test('blended with the slowed random tour through the orientation, the view still finds the separating plane', () => {
    const s = scatter as ClassScatter;
    const orientation = createOrientation(d, 5);
    let time = 0;
    const start = separationIndex(s, basisAt(orientation, time), 3);
    let worstOrtho = 0;
    // 10 s at 60 fps: the random tour at 30% speed, guidance at 0.6 per second.
    for (let frame = 0; frame < 600; frame++) {
      time += 0.3 / 60;
      const basis = basisAt(orientation, time);
      setBasisAt(orientation, time, guidedStep(s, basis, 3, 0.6 / 60), 3);
      worstOrtho = Math.max(worstOrtho, orthonormalityError(basisAt(orientation, time), d, 3));
    }
    const end = separationIndex(s, basisAt(orientation, time), 3);
    expect(worstOrtho).toBeLessThan(1e-9);
    expect(end).toBeGreaterThan(5 * start);
    expect(end).toBeGreaterThan(0.8 * optimum(s));
  });

  test('scale and in-plane rotation do not change the index', () => {
    const s = scatter as ClassScatter;
    const scaled = classScatter(points.map((v) => v * 7), 3000, d, codes) as ClassScatter;
    const frame = randomFrame(d, 3, createRandom(9));
    const turned = Float64Array.from(frame);
    const angle = 0.7;
    for (let i = 0; i < d; i++) {
      const x = frame[i * 3];
      const y = frame[i * 3 + 1];
      turned[i * 3] = Math.cos(angle) * x - Math.sin(angle) * y;
      turned[i * 3 + 1] = Math.sin(angle) * x + Math.cos(angle) * y;
    }
    expect(separationIndex(scaled, frame, 3)).toBeCloseTo(separationIndex(s, frame, 3), 6);
    expect(separationIndex(s, turned, 3)).toBeCloseTo(separationIndex(s, frame, 3), 9);
  });
});
