/**
 * Lasso hit-tests in view units. The polygon is closed implicitly and tested with the
 * even–odd rule, so a self-crossing lasso selects what a person would shade by hand.
 */
import { projectPoints } from './projection';

/** polygon: [x0, y0, x1, y1, …] */
export function pointInPolygon(x: number, y: number, polygon: ArrayLike<number>): boolean {
  const count = polygon.length >> 1;
  let inside = false;
  for (let a = 0, b = count - 1; a < count; b = a++) {
    const ax = polygon[2 * a];
    const ay = polygon[2 * a + 1];
    const bx = polygon[2 * b];
    const by = polygon[2 * b + 1];
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside;
}

/** [minX, minY, maxX, maxY] of a polygon [x0, y0, x1, y1, …]. */
export function polygonBounds(polygon: ArrayLike<number>): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let v = 0; v < polygon.length; v += 2) {
    minX = Math.min(minX, polygon[v]);
    maxX = Math.max(maxX, polygon[v]);
    minY = Math.min(minY, polygon[v + 1]);
    maxY = Math.max(maxY, polygon[v + 1]);
  }
  return [minX, minY, maxX, maxY];
}

/** Indices (ascending) of the points whose projection falls inside the polygon. */
export function selectInPolygon(
  points: Float32Array,
  n: number,
  dims: number,
  basis: Float64Array,
  k: number,
  polygon: ArrayLike<number>,
): Uint32Array {
  if (polygon.length < 6) return new Uint32Array(0);
  const [minX, minY, maxX, maxY] = polygonBounds(polygon);
  const projected = projectPoints(points, n, dims, basis, k);
  const hits = new Uint32Array(n);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const x = projected[2 * p];
    const y = projected[2 * p + 1];
    // The box test rejects most points before the O(vertices) polygon walk.
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    if (pointInPolygon(x, y, polygon)) hits[count++] = p;
  }
  return hits.slice(0, count);
}
