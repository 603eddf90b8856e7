/**
 * The arithmetic of the layer-similarity map, apart from the DOM: the colour domain and how
 * values and methods read.
 */

/**
 * The value range the colours span. CKA and the nuclear-norm similarity lie in [0, 1], and
 * a fixed [0, 1] keeps maps comparable; values outside it (another measure) widen the range
 * to theirs. NaN (a layer without variance) is left out.
 */
export function similarityDomain(values: ArrayLike<number>): [number, number] {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Where `value` falls in the domain, 0…1 (NaN stays NaN: the missing colour). */
export function domainPosition(value: number, [lo, hi]: [number, number]): number {
  if (!Number.isFinite(value)) return NaN;
  return hi > lo ? (value - lo) / (hi - lo) : 0.5;
}

/** A similarity as text: three decimals, "n/a" when undefined. */
export function formatSimilarity(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}

/** The measure's name as a reader knows it. */
export function methodName(method: string): string {
  if (method === 'cka') return 'linear CKA';
  if (method === 'nuclear') return 'nuclear-norm similarity';
  return method;
}

/**
 * What a click on cell (row, col) asks of the tours: the row tour shows the row's layer and
 * the column tour the column's. A map of one tour against itself has one tour for both: it
 * shows the row's layer, then moves to the column's, so the switch from one to the other
 * plays out.
 */
export function cellRequests(
  tours: readonly string[],
  rowName: string,
  colName: string,
): { uid: string; layer: string }[] {
  if (tours.length < 2 || !tours[0] || !tours[1]) return [];
  return [
    { uid: tours[0], layer: rowName },
    { uid: tours[1], layer: colName },
  ];
}

/** The layers a hover on (row, col) marks, per tour uid (both in one tour against itself). */
export function cellMarks(tours: readonly string[], rowName: string, colName: string): Map<string, string[]> {
  const marks = new Map<string, string[]>();
  if (tours.length < 2 || !tours[0] || !tours[1]) return marks;
  marks.set(tours[0], [rowName]);
  const other = marks.get(tours[1]);
  if (other) other.push(colName);
  else marks.set(tours[1], [colName]);
  return marks;
}
