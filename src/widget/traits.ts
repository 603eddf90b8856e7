/**
 * The traits on the wire (snake_case, as Python names them) and their decoding into
 * what the view uses. Everything the model can hold is checked here, so a malformed
 * saved notebook becomes a readable error rather than a blank canvas.
 */
import { decodeArray, decodeBitmask, encodeUint32, WireFormatError, type WireArray, type WireBitmask } from '../core/codec';
import { orderByEpoch } from '../core/epochs';
import type { ImageSet } from '../render/atlas';
import type { HandleData, LayerData } from '../view/session';
import { COLOR_BY_DIFFERENCE, COLOR_BY_LABEL, COLOR_BY_MOVEMENT, type Attribute, type AttributeKind } from '../view/color-by';

export interface WireLayer {
  name: string;
  points: WireArray;
  /** With training epochs: the epoch this layer belongs to (one of `_epochs`). */
  epoch?: string;
}

export interface WireAttribute {
  name: string;
  kind: AttributeKind;
  values: WireArray;
  categories: string[];
  range?: [number, number];
}

export interface TourTraits {
  _uid: string;
  _layers: WireLayer[];
  _labels: WireArray | null;
  _label_names: string[];
  layer: string;
  selected: WireArray | WireBitmask;
  playing: boolean;
  speed: number;
  projection: number[][];
  seed: number;
  height: number;
  _handles: { name: string; indices: WireArray }[];
  _images: WireArray | null;
  show_images: boolean;
  images_selected_only: boolean;
  hidden_classes: string[];
  _link: { group: string; selection: boolean; handles: boolean } | null;
  _align: { partner: string; enabled: boolean } | null;
  level_of_detail: boolean;
  /** Depth cues from the third projected axis. */
  depth: boolean;
  /** The guided (class-separating) tour blended with the random one. */
  guided: boolean;
  /** The frame-rate readout. */
  show_fps: boolean;
  /** Per-point attributes to colour by (`data=` / `color=` in Python). */
  _attributes: WireAttribute[];
  /** "label", an attribute's name, "movement" or "difference". */
  color_by: string;
  /** Epoch names in order; [] when the tour has no epochs. */
  _epochs: string[];
  /** The epoch shown ('' when there are none). */
  epoch: string;
}

export function decodeHandles(value: unknown, n: number): HandleData[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new WireFormatError('_handles: expected a list');
  return value.map((entry: unknown, i) => {
    const record = (entry ?? {}) as Record<string, unknown>;
    if (typeof record.name !== 'string') throw new WireFormatError(`_handles[${i}].name: expected a string`);
    const indices = decodeSelection(record.indices, n, `_handles[${i}].indices`);
    return { name: record.name, indices };
  });
}

export function encodeHandles(handles: readonly HandleData[]): { name: string; indices: WireArray }[] {
  return handles.map((h) => ({ name: h.name, indices: encodeUint32(h.indices) }));
}

export function decodeImages(value: unknown, n: number): ImageSet | null {
  if (value === null || value === undefined) return null;
  const { data, shape } = decodeArray(value, '_images', ['uint8'], 4);
  const [count, height, width, channels] = shape;
  if (count !== n) throw new WireFormatError(`_images: ${count} images for ${n} points`);
  if (![1, 3, 4].includes(channels)) throw new WireFormatError(`_images: ${channels} channels; expected 1, 3 or 4`);
  return { data, n: count, height, width, channels };
}

/** `_epochs`: a list of unique, non-empty epoch names ([] or absent: no epochs). */
export function decodeEpochs(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !value.every((e) => typeof e === 'string')) {
    throw new WireFormatError('_epochs: expected a list of strings');
  }
  return value as string[];
}

/**
 * `_layers` (and `_epochs`): with epochs, every layer names its epoch and every epoch has
 * the same layer names in the same order; the layers come back ordered epoch by epoch.
 */
export function decodeLayers(value: unknown, epochsValue: unknown = []): LayerData[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new WireFormatError('_layers: expected a non-empty list of layers');
  }
  const epochs = decodeEpochs(epochsValue);
  const layers = value.map((entry: unknown, i): LayerData => {
    const record = (entry ?? {}) as Record<string, unknown>;
    const name = typeof record.name === 'string' ? record.name : `layer ${i}`;
    const { data, shape } = decodeArray(record.points, `_layers[${i}].points`, ['float32'], 2);
    const [n, dims] = shape;
    if (n < 1 || dims < 2) throw new WireFormatError(`_layers[${i}].points: need n ≥ 1 and d ≥ 2, got shape [${n}, ${dims}]`);
    if (record.epoch === undefined || record.epoch === null) return { name, points: data, n, dims };
    if (typeof record.epoch !== 'string') throw new WireFormatError(`_layers[${i}].epoch: expected a string`);
    return { name, points: data, n, dims, epoch: record.epoch };
  });
  const n = layers[0].n;
  const odd = layers.find((l) => l.n !== n);
  if (odd) throw new WireFormatError(`_layers: layer "${odd.name}" has ${odd.n} points, the first has ${n}`);
  const ordered = orderByEpoch(layers, epochs);
  if ('error' in ordered) throw new WireFormatError(ordered.error);
  return ordered.layers;
}

export function decodeLabels(
  value: unknown,
  names: unknown,
  n: number,
): { codes: ArrayLike<number> | null; names: string[] } {
  if (value === null || value === undefined) return { codes: null, names: [] };
  const { data } = decodeArray(value, '_labels', ['uint8', 'uint16', 'uint32'], 1);
  if (data.length !== n) throw new WireFormatError(`_labels: ${data.length} labels for ${n} points`);
  if (!Array.isArray(names) || !names.every((s) => typeof s === 'string')) {
    throw new WireFormatError('_label_names: expected a list of strings');
  }
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= names.length) {
      throw new WireFormatError(`_labels: point ${i} has class ${data[i]} but there are ${names.length} names`);
    }
  }
  return { codes: data, names: names as string[] };
}

export function decodeSelection(value: unknown, n: number, name = 'selected'): Uint32Array {
  if (value === null || value === undefined) return new Uint32Array(0);
  if ((value as { dtype?: unknown }).dtype === 'bitmask') return decodeBitmask(value, n, name);
  const { data } = decodeArray(value, name, ['uint32'], 1);
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= n) throw new WireFormatError(`${name}: index ${data[i]} is out of range for ${n} points`);
  }
  return data;
}

/** A d×2 basis as a row-major Float64Array, or null when it does not fit d. */
export function decodeProjection(value: unknown, dims: number): Float64Array | null {
  if (!Array.isArray(value) || value.length !== dims) return null;
  const out = new Float64Array(dims * 2);
  for (let i = 0; i < dims; i++) {
    const row = value[i];
    if (!Array.isArray(row) || row.length !== 2 || !row.every((x) => Number.isFinite(x))) {
      throw new WireFormatError(`projection: row ${i} must be two finite numbers`);
    }
    out[2 * i] = row[0];
    out[2 * i + 1] = row[1];
  }
  return out;
}

const ATTRIBUTE_KINDS: readonly string[] = ['categorical', 'ordinal', 'continuous'];
const BUILT_IN_COLORINGS: readonly string[] = [COLOR_BY_LABEL, COLOR_BY_MOVEMENT, COLOR_BY_DIFFERENCE];

/**
 * `_attributes`: categorical and ordinal ones hold unsigned codes into `categories`;
 * continuous ones float32 values (NaN: missing) and their `range` over finite values.
 */
export function decodeAttributes(value: unknown, n: number): Attribute[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new WireFormatError('_attributes: expected a list');
  const seen = new Set<string>();
  return value.map((entry: unknown, i): Attribute => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new WireFormatError(`_attributes[${i}]: expected {name, kind, values, categories}`);
    }
    const record = entry as Record<string, unknown>;
    const { name, kind } = record;
    if (typeof name !== 'string' || name === '') throw new WireFormatError(`_attributes[${i}].name: expected a non-empty string`);
    const where = `_attributes[${i}] ("${name}")`;
    if (BUILT_IN_COLORINGS.includes(name)) {
      throw new WireFormatError(`${where}: the name is taken by a built-in colouring (${BUILT_IN_COLORINGS.join(', ')})`);
    }
    if (seen.has(name)) throw new WireFormatError(`${where}: a second attribute with this name`);
    seen.add(name);
    if (typeof kind !== 'string' || !ATTRIBUTE_KINDS.includes(kind)) {
      throw new WireFormatError(`${where}.kind: expected one of ${ATTRIBUTE_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    }
    const categories = record.categories ?? [];
    if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
      throw new WireFormatError(`${where}.categories: expected a list of strings`);
    }
    if (kind === 'continuous') {
      const { data } = decodeArray(record.values, `${where}.values`, ['float32'], 1);
      if (data.length !== n) throw new WireFormatError(`${where}.values: ${data.length} values for ${n} points`);
      return { name, kind, values: data, categories: [], range: decodeRange(record.range, data, where) };
    }
    const { data } = decodeArray(record.values, `${where}.values`, ['uint8', 'uint16', 'uint32'], 1);
    if (data.length !== n) throw new WireFormatError(`${where}.values: ${data.length} values for ${n} points`);
    if (categories.length === 0) throw new WireFormatError(`${where}.categories: a ${kind} attribute needs its category names`);
    for (let p = 0; p < data.length; p++) {
      if (data[p] >= categories.length) {
        throw new WireFormatError(`${where}.values: point ${p} has category ${data[p]} but there are ${categories.length} names`);
      }
    }
    return { name, kind: kind as AttributeKind, values: data, categories: categories as string[], range: null };
  });
}

/** A continuous attribute's `range`, checked; computed from the values when absent. */
function decodeRange(value: unknown, data: Float32Array, where: string): [number, number] {
  if (value === undefined || value === null) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      if (!Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return min <= max ? [min, max] : [0, 0];
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((x) => typeof x === 'number' && Number.isFinite(x)) || value[0] > value[1]) {
    throw new WireFormatError(`${where}.range: expected [min, max], two finite numbers with min ≤ max, got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/**
 * `color_by`: "label", an attribute's name, "movement" (with two or more layers) or
 * "difference" (in a comparison). Absent or empty means "label".
 */
export function decodeColorBy(
  value: unknown,
  attributes: readonly Attribute[],
  options: { movement: boolean; difference: boolean },
): string {
  if (value === null || value === undefined || value === '') return COLOR_BY_LABEL;
  if (typeof value !== 'string') throw new WireFormatError(`color_by: expected a string, got ${typeof value}`);
  const allowed = [
    COLOR_BY_LABEL,
    ...attributes.map((a) => a.name),
    ...(options.movement ? [COLOR_BY_MOVEMENT] : []),
    ...(options.difference ? [COLOR_BY_DIFFERENCE] : []),
  ];
  if (!allowed.includes(value)) {
    const why =
      value === COLOR_BY_MOVEMENT
        ? ' (movement needs two or more layers)'
        : value === COLOR_BY_DIFFERENCE
          ? ' (difference needs a comparison partner)'
          : '';
    throw new WireFormatError(`color_by: "${value}" is not available${why}; choose one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value;
}
