import { basisAt, createOrientation } from './orientation';
import { orthonormalityError } from './frame';
import { orthogonalProcrustes } from './procrustes';
import { createRandom } from './random';
import { beginDrag, dragTo, projectVector } from './steer';

/** View units → pixels at the default fit of a 480 px tall widget. */
const PX_PER_UNIT = 0.5 * 480 * 0.94;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

function randomCentroids(count: number, dims: number, random: () => number): Float64Array[] {
  return Array.from({ length: count }, () => {
    const v = Float64Array.from({ length: dims }, () => gaussian(random));
    const norm = Math.hypot(...v);
    // Centroids of normalised data lie inside the unit ball.
    const radius = 0.4 + 0.5 * random();
    return v.map((x) => (x / norm) * radius);
  });
}

describe('drag to steer', () => {
  test('the dragged centroid reaches the pointer, the other handles stay put, the frame stays orthonormal', () => {
    const random = createRandom(42);
    const drags = 60;
    let heldStill = 0;
    let worstReach = 0;
    let worstOrtho = 0;
    for (let trial = 0; trial < drags; trial++) {
      const dims = [6, 10, 15, 32][trial % 4];
      const handles = 2 + (trial % 4);
      const centroids = randomCentroids(handles, dims, random);
      let basis = basisAt(createOrientation(dims, trial), 3 + trial);
      const startPositions = centroids.map((c) => projectVector(c, basis, 3));
      const state = beginDrag(centroids, 0, basis, () => []);
      // A reachable drag: 40 pointer moves to a goal well inside the centroid's reach.
      const [sx, sy] = startPositions[0];
      const angle = random() * 2 * Math.PI;
      const reach = Math.hypot(...centroids[0]);
      const goal: [number, number] = [0.6 * reach * Math.cos(angle), 0.6 * reach * Math.sin(angle)];
      for (let step = 1; step <= 40; step++) {
        const f = step / 40;
        basis = dragTo(state, basis, sx + (goal[0] - sx) * f, sy + (goal[1] - sy) * f);
      }
      const [ex, ey] = projectVector(centroids[0], basis, 3);
      worstReach = Math.max(worstReach, Math.hypot(ex - goal[0], ey - goal[1]) * PX_PER_UNIT);
      worstOrtho = Math.max(worstOrtho, orthonormalityError(basis, dims, 3));
      const moved = centroids.slice(1).map((c, i) => {
        const [x, y] = projectVector(c, basis, 3);
        return Math.hypot(x - startPositions[i + 1][0], y - startPositions[i + 1][1]) * PX_PER_UNIT;
      });
      if (moved.every((px) => px <= 2)) heldStill++;
    }
    expect(worstReach).toBeLessThanOrEqual(1);
    expect(heldStill / drags).toBeGreaterThanOrEqual(0.9);
    expect(worstOrtho).toBeLessThanOrEqual(1e-9);
  });

  test('with no other handle, the centroid still follows the pointer', () => {
    const random = createRandom(7);
    const dims = 15;
    const [centroid] = randomCentroids(1, dims, random);
    const context = randomCentroids(30, dims, random);
    let basis = basisAt(createOrientation(dims, 1), 0);
    const state = beginDrag([centroid], 0, basis, () => context);
    const goal: [number, number] = [0.1, -0.2];
    for (let step = 1; step <= 20; step++) {
      const [x, y] = projectVector(centroid, basis, 3);
      basis = dragTo(state, basis, x + (goal[0] - x) * (step / 20), y + (goal[1] - y) * (step / 20));
    }
    const [x, y] = projectVector(centroid, basis, 3);
    expect(Math.hypot(x - goal[0], y - goal[1]) * PX_PER_UNIT).toBeLessThanOrEqual(1);
  });
});

describe('orthogonal Procrustes', () => {
  test('recovers a planted rotation', () => {
    const random = createRandom(3);
    const m = 200;
    const k = 5;
    const source = Float64Array.from({ length: m * k }, () => gaussian(random));
    const rotation = new Float64Array(k * k);
    // A rotation in the (0,1) and (2,3) planes.
    const [c1, s1, c2, s2] = [Math.cos(0.7), Math.sin(0.7), Math.cos(-1.1), Math.sin(-1.1)];
    rotation.set([c1, -s1, 0, 0, 0, s1, c1, 0, 0, 0, 0, 0, c2, -s2, 0, 0, 0, s2, c2, 0, 0, 0, 0, 0, 1]);
    const target = new Float64Array(m * k);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        let sum = 0;
        for (let l = 0; l < k; l++) sum += source[i * k + l] * rotation[l * k + j];
        target[i * k + j] = sum + 3;
      }
    }
    const result = orthogonalProcrustes(source, target, m, k);
    result.rotation.forEach((v, i) => expect(v).toBeCloseTo(rotation[i], 9));
    expect(result.residual).toBeLessThan(1e-9);
  });

  test('never returns a reflection, even when a mirror fits best', () => {
    const random = createRandom(5);
    const m = 100;
    const k = 3;
    const source = Float64Array.from({ length: m * k }, () => gaussian(random));
    // The target is the source mirrored in its last coordinate.
    const target = Float64Array.from(source, (v, i) => (i % k === k - 1 ? -v : v));
    const { rotation } = orthogonalProcrustes(source, target, m, k);
    const r = (i: number, j: number): number => rotation[i * k + j];
    const det =
      r(0, 0) * (r(1, 1) * r(2, 2) - r(1, 2) * r(2, 1)) -
      r(0, 1) * (r(1, 0) * r(2, 2) - r(1, 2) * r(2, 0)) +
      r(0, 2) * (r(1, 0) * r(2, 1) - r(1, 1) * r(2, 0));
    expect(det).toBeCloseTo(1, 9);
  });
});
