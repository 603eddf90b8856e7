/**
 * What the points are coloured by, and the colours: the class (the default), a per-point
 * attribute sent from Python (categorical, ordinal or continuous), how far each point moved
 * from the previous layer, or how differently a compared model places it. Each colouring
 * gives an n×3 RGB buffer for the scene and a key (what the colour key shows). Computed once
 * per change of what it depends on, never per frame.
 */
import { continuousColors, finiteRange, MISSING_RGB, ordinalColors } from '../core/colormap';
import { categoricalColors } from '../core/palette';

export type AttributeKind = 'categorical' | 'ordinal' | 'continuous';

/** A per-point attribute as decoded from `_attributes`. */
export interface Attribute {
  name: string;
  kind: AttributeKind;
  /** Category codes (categorical, ordinal) or float values (continuous; NaN: missing). */
  values: ArrayLike<number>;
  /** Category names in code order; the ordinal scale's order. [] for continuous. */
  categories: string[];
  /** [min, max] over finite values (continuous only). */
  range: [number, number] | null;
}

/** The colourings that are not attributes. */
export const COLOR_BY_LABEL = 'label';
export const COLOR_BY_MOVEMENT = 'movement';
export const COLOR_BY_DIFFERENCE = 'difference';

/** Python appends this category last when an attribute has missing values. */
export const MISSING_CATEGORY = 'missing';

export type ColorKey =
  /** Coloured by class: the class legend is the key. */
  | { kind: 'label' }
  /** Category swatches (categorical palette, or viridis bands for an ordinal scale). */
  | { kind: 'categories'; title: string; ordinal: boolean; names: string[]; rgb: Uint8Array }
  /** A colour bar over [min, max]; `note` says what the value is when it is not obvious. */
  | { kind: 'range'; title: string; min: number; max: number; note: string; missing: boolean };

export interface Coloring {
  rgb: Uint8Array;
  key: ColorKey;
  /** The value behind each point's colour, for tooltips (movement, difference); else null. */
  values: Float32Array | null;
}

/** Neutral colour for points without labels. */
const UNLABELLED = [78, 121, 167];

export function colorByLabel(codes: ArrayLike<number> | null, palette: Uint8Array, n: number): Coloring {
  // One table, the unlabelled colour last, so the loop reads one array (30 ms less at 1M).
  const classes = palette.length / 3;
  const table = new Uint8Array(palette.length + 3);
  table.set(palette);
  table.set(UNLABELLED, palette.length);
  const rgb = new Uint8Array(n * 3);
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    const c = codes ? codes[p] : -1;
    const at = 3 * (c >= 0 && c < classes ? c : classes);
    rgb[o] = table[at];
    rgb[o + 1] = table[at + 1];
    rgb[o + 2] = table[at + 2];
  }
  return { rgb, key: { kind: 'label' }, values: null };
}

export function colorByAttribute(attribute: Attribute, n: number): Coloring {
  if (attribute.kind === 'continuous') {
    const [min, max] = attribute.range ?? finiteRange(attribute.values);
    let missing = false;
    for (let p = 0; p < n && !missing; p++) missing = !Number.isFinite(attribute.values[p]);
    return {
      rgb: continuousColors(attribute.values, min, max),
      key: { kind: 'range', title: attribute.name, min, max, note: '', missing },
      values: null,
    };
  }
  const names = attribute.categories;
  const hasMissing = names.length > 0 && names[names.length - 1] === MISSING_CATEGORY;
  const real = hasMissing ? names.length - 1 : names.length;
  const ordinal = attribute.kind === 'ordinal';
  const palette = new Uint8Array(names.length * 3);
  palette.set(ordinal ? ordinalColors(real) : categoricalColors(real));
  if (hasMissing) palette.set(MISSING_RGB, 3 * real);
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const c = attribute.values[p];
    rgb[3 * p] = palette[3 * c];
    rgb[3 * p + 1] = palette[3 * c + 1];
    rgb[3 * p + 2] = palette[3 * c + 2];
  }
  return { rgb, key: { kind: 'categories', title: attribute.name, ordinal, names, rgb: palette }, values: null };
}

/**
 * Distances (movement, difference) on viridis over [0, max]. All zeros (the first layer's
 * movement) are drawn at the dark end, "nothing moved", not mid-map.
 */
export function colorByDistance(values: Float32Array, title: string, note: string): Coloring {
  const [, max] = finiteRange(values);
  return {
    rgb: continuousColors(values, 0, max > 0 ? max : 1),
    key: { kind: 'range', title, min: 0, max: Math.max(max, 0), note, missing: false },
    values,
  };
}

/** A value for a key or a tooltip: three significant digits, exponents for extremes. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return MISSING_CATEGORY;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2).replace('-', '−');
  return String(Number(value.toPrecision(3))).replace('-', '−');
}

/** A point's value of an attribute, as text. */
export function attributeText(attribute: Attribute, index: number): string {
  const value = attribute.values[index];
  if (attribute.kind === 'continuous') return formatValue(value);
  return attribute.categories[value] ?? String(value);
}
