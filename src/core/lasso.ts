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

/** Cells per side of the grid that classifies the lasso's area (see selectInPolygon). */
const GRID = 128;
/** Points projected at a time by selectInPolygon: a small buffer instead of a 2N one. */
const BLOCK = 4096;
const OUTSIDE = 0;
const INSIDE = 1;
const BOUNDARY = 2;

/**
 * The polygon's bounding box cut into GRID×GRID cells, each marked INSIDE, OUTSIDE or
 * BOUNDARY (an edge passes through it or a neighbour). A cell no edge touches lies wholly
 * on one side, which its centre decides; only points in BOUNDARY cells need the exact test.
 */
function classifyCells(polygon: ArrayLike<number>, minX: number, minY: number, cw: number, ch: number): Uint8Array {
  const cells = new Uint8Array(GRID * GRID);
  const count = polygon.length >> 1;
  const clampCell = (v: number): number => Math.min(GRID - 1, Math.max(0, Math.floor(v)));
  for (let a = 0, b = count - 1; a < count; b = a++) {
    const ax = (polygon[2 * b] - minX) / cw;
    const ay = (polygon[2 * b + 1] - minY) / ch;
    const bx = (polygon[2 * a] - minX) / cw;
    const by = (polygon[2 * a + 1] - minY) / ch;
    // Samples at most one cell apart; each marks its cell and the eight around it.
    const steps = Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))) + 1;
    for (let t = 0; t <= steps; t++) {
      const gx = clampCell(ax + ((bx - ax) * t) / steps);
      const gy = clampCell(ay + ((by - ay) * t) / steps);
      for (let y = Math.max(0, gy - 1); y <= Math.min(GRID - 1, gy + 1); y++) {
        for (let x = Math.max(0, gx - 1); x <= Math.min(GRID - 1, gx + 1); x++) cells[y * GRID + x] = BOUNDARY;
      }
    }
  }
  const crossings: number[] = [];
  for (let row = 0; row < GRID; row++) {
    const y = minY + (row + 0.5) * ch;
    crossings.length = 0;
    for (let a = 0, b = count - 1; a < count; b = a++) {
      const ax = polygon[2 * a];
      const ay = polygon[2 * a + 1];
      const bx = polygon[2 * b];
      const by = polygon[2 * b + 1];
      if (ay > y !== by > y) crossings.push(((bx - ax) * (y - ay)) / (by - ay) + ax);
    }
    crossings.sort((p, q) => p - q);
    // Even–odd, as pointInPolygon: inside when an odd number of crossings lie right of x.
    let passed = 0;
    for (let col = 0; col < GRID; col++) {
      const x = minX + (col + 0.5) * cw;
      while (passed < crossings.length && crossings[passed] <= x) passed++;
      const cell = row * GRID + col;
      if (cells[cell] !== BOUNDARY) cells[cell] = (crossings.length - passed) % 2 === 1 ? INSIDE : OUTSIDE;
    }
  }
  return cells;
}

/**
 * The polygon as a point test in view units: a grid over the lasso's box answers for
 * most points, the exact even–odd test runs only near the lasso's edges. Null for a
 * polygon of fewer than three vertices (it holds nothing).
 */
function polygonTest(polygon: ArrayLike<number>): ((x: number, y: number) => boolean) | null {
  if (polygon.length < 6) return null;
  const [minX, minY, maxX, maxY] = polygonBounds(polygon);
  const cw = (maxX - minX) / GRID;
  const ch = (maxY - minY) / GRID;
  const cells = cw > 0 && ch > 0 ? classifyCells(polygon, minX, minY, cw, ch) : null;
  return (x, y) => {
    if (x < minX || x > maxX || y < minY || y > maxY) return false;
    if (cells) {
      const gx = Math.min(GRID - 1, Math.floor((x - minX) / cw));
      const gy = Math.min(GRID - 1, Math.floor((y - minY) / ch));
      const cell = cells[gy * GRID + gx];
      if (cell !== BOUNDARY) return cell === INSIDE;
    }
    return pointInPolygon(x, y, polygon);
  };
}

/**
 * View coordinates of points [from, to) into xy (x, y interleaved, point p at slot
 * p − from + at), through projectPoints, so what is drawn is what is tested.
 */
export function projectRows(
  points: Float32Array,
  dims: number,
  basis: Float64Array,
  k: number,
  from: number,
  to: number,
  xy: Float64Array,
  at = from,
): void {
  projectPoints(points.subarray(from * dims, to * dims), to - from, dims, basis, k, xy.subarray(2 * at, 2 * (at + to - from)));
}

/**
 * Indices (ascending) of the points whose projection falls inside the polygon, each point
 * projected on the fly (no 2N array). At 1M × 15 the projection is most of the time (it
 * took 450–740 ms in jest on a busy machine; the grid made the test itself cheap), which
 * is why a lasso drawn over a held tour projects ahead (see selectProjected).
 */
export function selectInPolygon(
  points: Float32Array,
  n: number,
  dims: number,
  basis: Float64Array,
  k: number,
  polygon: ArrayLike<number>,
): Uint32Array {
  const inside = polygonTest(polygon);
  if (!inside) return new Uint32Array(0);
  const xy = new Float64Array(2 * BLOCK);
  const hits = new Uint32Array(n);
  let count = 0;
  for (let from = 0; from < n; from += BLOCK) {
    const to = Math.min(n, from + BLOCK);
    projectRows(points, dims, basis, k, from, to, xy, 0);
    for (let p = from; p < to; p++) if (inside(xy[2 * (p - from)], xy[2 * (p - from) + 1])) hits[count++] = p;
  }
  return hits.slice(0, count);
}

/** The same selection from view coordinates already projected (xy from projectRows). */
export function selectProjected(xy: Float64Array, n: number, polygon: ArrayLike<number>): Uint32Array {
  const inside = polygonTest(polygon);
  if (!inside) return new Uint32Array(0);
  const hits = new Uint32Array(n);
  let count = 0;
  for (let p = 0; p < n; p++) if (inside(xy[2 * p], xy[2 * p + 1])) hits[count++] = p;
  return hits.slice(0, count);
}
