/**
 * Colour maps for colouring points by a value: viridis for continuous values (perceptually
 * uniform, lightness rising monotonically, readable in grey and by most colour-blind
 * viewers), viridis sampled at band centres for ordinal scales, and one grey for missing
 * values. RGB bytes, as the scene's colour buffer takes them.
 */

/**
 * Viridis (matplotlib's, by van der Walt and Smith; CC0) at 33 evenly spaced stops. Linear
 * interpolation between them stays within 2/255 per channel of the full 256-entry table.
 */
const VIRIDIS = [
  0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453681, 0x424086, 0x3f4989,
  0x3b528b, 0x375a8d, 0x33638d, 0x2f6a8e, 0x2c728e, 0x297a8e, 0x26818e, 0x23898e,
  0x21908c, 0x1f988b, 0x1f9f88, 0x21a685, 0x28ae80, 0x31b57b, 0x3ebc74, 0x4cc26c,
  0x5dc963, 0x6ece58, 0x82d34c, 0x96d83f, 0xabdc32, 0xc0df24, 0xd5e21a, 0xeae51a,
  0xfde725,
];

/** Missing values (NaN, or a category named "missing"): a neutral grey. */
export const MISSING_RGB: readonly [number, number, number] = [190, 190, 190];

/**
 * Viridis at t in [0, 1] (clamped) into out[offset..offset+2]; NaN gives the missing grey.
 * Writes into a caller's buffer because it runs once per point.
 */
export function viridisInto(t: number, out: Uint8Array | number[], offset = 0): void {
  if (Number.isNaN(t)) {
    out[offset] = MISSING_RGB[0];
    out[offset + 1] = MISSING_RGB[1];
    out[offset + 2] = MISSING_RGB[2];
    return;
  }
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  for (let c = 0; c < 3; c++) {
    const shift = 16 - 8 * c;
    const lo = (a >> shift) & 255;
    const hi = (b >> shift) & 255;
    out[offset + c] = Math.round(lo + (hi - lo) * f);
  }
}

/** Viridis at t as [r, g, b] bytes. */
export function viridis(t: number): [number, number, number] {
  const rgb = [0, 0, 0];
  viridisInto(t, rgb);
  return rgb as [number, number, number];
}

/**
 * Colours for an ordinal scale of `count` levels: viridis at the band centres (k + 0.5)/K,
 * so no level gets the map's extreme ends and neighbours are equally far apart.
 */
export function ordinalColors(count: number): Uint8Array {
  const rgb = new Uint8Array(Math.max(count, 0) * 3);
  for (let k = 0; k < count; k++) viridisInto((k + 0.5) / count, rgb, 3 * k);
  return rgb;
}

/** `count` viridis colours from 0 to 1, as CSS colour stops for a colour bar. */
export function viridisStops(count = 9): string[] {
  const stops: string[] = [];
  for (let k = 0; k < count; k++) {
    const [r, g, b] = viridis(k / Math.max(count - 1, 1));
    stops.push(`rgb(${r}, ${g}, ${b})`);
  }
  return stops;
}

/**
 * Map values to viridis over [min, max] into an n×3 RGB buffer; NaN (and ±Infinity) is
 * drawn in the missing grey. A range of zero width puts every finite value at the middle.
 */
export function continuousColors(values: ArrayLike<number>, min: number, max: number, out?: Uint8Array): Uint8Array {
  const n = values.length;
  const rgb = out && out.length === n * 3 ? out : new Uint8Array(n * 3);
  const span = max - min;
  for (let p = 0; p < n; p++) {
    const v = values[p];
    if (!Number.isFinite(v)) viridisInto(Number.NaN, rgb, 3 * p);
    else viridisInto(span > 0 ? (v - min) / span : 0.5, rgb, 3 * p);
  }
  return rgb;
}

/** The smallest and largest finite value; [0, 0] when there are none. */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}
