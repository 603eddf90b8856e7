/**
 * Binary arrays on the wire: Python sends {view: bytes, dtype, shape}; the Jupyter
 * widget runtime hands the bytes to us as a DataView (or, from some state loaders, an
 * ArrayBuffer or typed array). Decoding checks everything a hand-edited notebook could
 * get wrong and says which trait was wrong, instead of drawing garbage.
 */

export type Dtype = 'float32' | 'float64' | 'uint8' | 'uint16' | 'uint32' | 'int32';

export type TypedArrayOf<D extends Dtype> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'uint8'
      ? Uint8Array
      : D extends 'uint16'
        ? Uint16Array
        : D extends 'uint32'
          ? Uint32Array
          : Int32Array;

export type NumericArray = Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array | Int32Array;

export interface WireArray {
  view: DataView;
  dtype: Dtype;
  shape: number[];
}

export interface DecodedArray<A extends NumericArray = NumericArray> {
  data: A;
  shape: number[];
}

export class WireFormatError extends Error {
  constructor(message: string) {
    super(`[grandtour] ${message}`);
    this.name = 'WireFormatError';
  }
}

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
} as const;

function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONSTRUCTORS, value);
}

function asBytes(view: unknown, name: string): { buffer: ArrayBufferLike; offset: number; length: number } {
  if (view instanceof DataView || ArrayBuffer.isView(view)) {
    const v = view as ArrayBufferView;
    return { buffer: v.buffer, offset: v.byteOffset, length: v.byteLength };
  }
  // instanceof fails for buffers from another realm (an iframe, a test VM), so ask the tag.
  if (Object.prototype.toString.call(view) === '[object ArrayBuffer]') {
    const buffer = view as ArrayBuffer;
    return { buffer, offset: 0, length: buffer.byteLength };
  }
  throw new WireFormatError(`${name}: expected binary data, got ${describe(view)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

/**
 * Decode a wire array, checking dtype, rank and byte length. The result views the
 * received bytes without copying when they are aligned for the element type; a view
 * at an unaligned byteOffset is copied, since typed arrays cannot start there.
 */
export function decodeArray<D extends Dtype>(
  value: unknown,
  name: string,
  allowed: readonly D[],
  ndim: number,
): DecodedArray<TypedArrayOf<D>> {
  if (value === null || typeof value !== 'object') {
    throw new WireFormatError(`${name}: expected {view, dtype, shape}, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const { dtype, shape } = record;
  if (!isDtype(dtype) || !(allowed as readonly string[]).includes(dtype)) {
    throw new WireFormatError(`${name}: dtype must be one of ${allowed.join(', ')}, got ${String(dtype)}`);
  }
  if (!Array.isArray(shape) || shape.length !== ndim || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new WireFormatError(`${name}: shape must be ${ndim} non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const Ctor = CONSTRUCTORS[dtype];
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = asBytes(record.view, name);
  if (bytes.length !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new WireFormatError(
      `${name}: shape ${JSON.stringify(shape)} of ${dtype} needs ${count * Ctor.BYTES_PER_ELEMENT} bytes, got ${bytes.length}`,
    );
  }
  let data: NumericArray;
  if (bytes.offset % Ctor.BYTES_PER_ELEMENT === 0) {
    data = new Ctor(bytes.buffer as ArrayBuffer, bytes.offset, count);
  } else {
    const copy = new Uint8Array(bytes.length);
    copy.set(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.offset, bytes.length));
    data = new Ctor(copy.buffer, 0, count);
  }
  return { data: data as TypedArrayOf<D>, shape: shape as number[] };
}

/** The wire form of a 1-D uint32 array (what Python's `selected` trait expects). */
export function encodeUint32(values: Uint32Array): WireArray {
  return {
    view: new DataView(values.buffer, values.byteOffset, values.byteLength),
    dtype: 'uint32',
    shape: [values.length],
  };
}

/**
 * A dense index set on the wire: n bits, bit i (of byte i >> 3, least significant first) set
 * when index i is in the set. Python's `selected` accepts it beside uint32 indices.
 */
export interface WireBitmask {
  view: DataView;
  dtype: 'bitmask';
  shape: [number];
}

/**
 * Ascending indices in [0, n) in whichever form is smaller: 4 bytes per index, or n/8 bytes
 * as a bitmask. Half of a million points brushed is 125 kB instead of 2 MB, which is most
 * of the time a brush takes to reach the kernel.
 */
export function encodeIndices(indices: Uint32Array, n: number): WireArray | WireBitmask {
  if (indices.length * 32 <= n) return encodeUint32(indices);
  const bits = new Uint8Array(Math.ceil(n / 8));
  for (let k = 0; k < indices.length; k++) bits[indices[k] >> 3] |= 1 << (indices[k] & 7);
  return { view: new DataView(bits.buffer), dtype: 'bitmask', shape: [n] };
}

/** The indices a bitmask of n bits holds, ascending; its shape must say n. */
export function decodeBitmask(value: unknown, n: number, name: string): Uint32Array {
  const record = value as Record<string, unknown>;
  const shape = record.shape;
  if (!Array.isArray(shape) || shape.length !== 1 || shape[0] !== n) {
    throw new WireFormatError(`${name}: a bitmask must have shape [${n}], got ${JSON.stringify(shape)}`);
  }
  const bytes = asBytes(record.view, name);
  if (bytes.length !== Math.ceil(n / 8)) {
    throw new WireFormatError(`${name}: a bitmask of ${n} bits needs ${Math.ceil(n / 8)} bytes, got ${bytes.length}`);
  }
  const bits = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.offset, bytes.length);
  let count = 0;
  for (let b = 0; b < bits.length; b++) {
    for (let v = bits[b]; v !== 0; v &= v - 1) count++;
  }
  const out = new Uint32Array(count);
  let k = 0;
  for (let b = 0; b < bits.length; b++) {
    const byte = bits[b];
    if (byte === 0) continue;
    for (let j = 0; j < 8; j++) if (byte & (1 << j)) out[k++] = 8 * b + j;
  }
  if (k > 0 && out[k - 1] >= n) throw new WireFormatError(`${name}: the bitmask sets bits past ${n} points`);
  return out;
}
