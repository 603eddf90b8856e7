import { decodeArray, decodeBitmask, encodeIndices, encodeUint32, WireFormatError } from './codec';
import { categoricalColors } from './palette';

describe('wire codecs', () => {
  test('round-trip a uint32 selection', () => {
    const values = Uint32Array.from([0, 5, 4294967295]);
    const wire = encodeUint32(values);
    expect(wire.dtype).toBe('uint32');
    expect(wire.shape).toEqual([3]);
    const back = decodeArray(wire, 'selected', ['uint32'], 1);
    expect(Array.from(back.data)).toEqual([0, 5, 4294967295]);
  });

  test('respect a DataView with a byteOffset into a larger buffer', () => {
    const buffer = new ArrayBuffer(64);
    const floats = new Float32Array(buffer, 16, 6);
    floats.set([1, 2, 3, 4, 5, 6]);
    new Float32Array(buffer, 0, 4).fill(99);
    const view = new DataView(buffer, 16, 24);
    const decoded = decodeArray({ view, dtype: 'float32', shape: [3, 2] }, 'points', ['float32'], 2);
    expect(Array.from(decoded.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(decoded.shape).toEqual([3, 2]);
  });

  test('copy when the offset is not aligned for the element type', () => {
    const buffer = new ArrayBuffer(13);
    const view = new DataView(buffer, 1, 12);
    view.setUint32(0, 7, true);
    view.setUint32(4, 8, true);
    view.setUint32(8, 9, true);
    const decoded = decodeArray({ view, dtype: 'uint32', shape: [3] }, 'selected', ['uint32'], 1);
    expect(Array.from(decoded.data)).toEqual([7, 8, 9]);
  });

  test('accept an ArrayBuffer and typed arrays as the bytes', () => {
    const data = Uint16Array.from([3, 1, 2]);
    expect(Array.from(decodeArray({ view: data.buffer, dtype: 'uint16', shape: [3] }, 'l', ['uint16'], 1).data)).toEqual([3, 1, 2]);
    expect(Array.from(decodeArray({ view: data, dtype: 'uint16', shape: [3] }, 'l', ['uint16'], 1).data)).toEqual([3, 1, 2]);
  });

  test.each([
    ['truncated bytes', { view: new DataView(new ArrayBuffer(20)), dtype: 'float32', shape: [3, 2] }, /needs 24 bytes, got 20/],
    ['wrong dtype', { view: new DataView(new ArrayBuffer(24)), dtype: 'float64', shape: [3, 1] }, /dtype must be one of float32/],
    ['wrong rank', { view: new DataView(new ArrayBuffer(24)), dtype: 'float32', shape: [6] }, /shape must be 2/],
    ['negative shape', { view: new DataView(new ArrayBuffer(24)), dtype: 'float32', shape: [-3, -2] }, /shape must be 2/],
    ['a JSON list instead of bytes', { view: [1, 2, 3], dtype: 'float32', shape: [3, 1] }, /expected binary data, got a list/],
    ['nothing', null, /expected \{view, dtype, shape\}/],
  ])('reject %s with a message naming the trait', (_name, value, message) => {
    expect(() => decodeArray(value, 'points', ['float32'], 2)).toThrow(WireFormatError);
    expect(() => decodeArray(value, 'points', ['float32'], 2)).toThrow(message);
    expect(() => decodeArray(value, 'points', ['float32'], 2)).toThrow(/^\[grandtour\] points:/);
  });
});

describe('categorical palette', () => {
  test('gives distinct colours for 1000 classes', () => {
    const rgb = categoricalColors(1000);
    const seen = new Set<number>();
    for (let c = 0; c < 1000; c++) seen.add((rgb[3 * c] << 16) | (rgb[3 * c + 1] << 8) | rgb[3 * c + 2]);
    expect(seen.size).toBeGreaterThan(990);
  });

  test('keeps the first twenty clearly apart', () => {
    const rgb = categoricalColors(20);
    for (let a = 0; a < 20; a++) {
      for (let b = a + 1; b < 20; b++) {
        const dist = Math.hypot(rgb[3 * a] - rgb[3 * b], rgb[3 * a + 1] - rgb[3 * b + 1], rgb[3 * a + 2] - rgb[3 * b + 2]);
        expect(dist).toBeGreaterThan(40);
      }
    }
  });
});

describe('index sets on the wire', () => {
  it('sends sparse sets as uint32 indices and dense ones as a bitmask, both decoding back', () => {
    const n = 1003;
    const sparse = Uint32Array.from([0, 17, 1002]);
    expect(encodeIndices(sparse, n).dtype).toBe('uint32');
    const dense = Uint32Array.from({ length: 700 }, (_, k) => k + (k % 3 === 0 ? 300 : 0)).filter(
      (v, k, all) => v < n && all.indexOf(v) === k,
    );
    dense.sort();
    const wire = encodeIndices(dense, n);
    expect(wire.dtype).toBe('bitmask');
    expect(wire.view.byteLength).toBe(Math.ceil(n / 8));
    expect(Array.from(decodeBitmask(wire, n, 'selected'))).toEqual(Array.from(dense));
  });

  it('rejects a bitmask of the wrong size or with bits past n', () => {
    const wire = encodeIndices(Uint32Array.from({ length: 500 }, (_, k) => k), 1000);
    expect(() => decodeBitmask(wire, 999, 'selected')).toThrow(WireFormatError);
    const bits = new Uint8Array(2);
    bits[1] = 0x80; // bit 15 of a 10-bit mask
    expect(() => decodeBitmask({ view: new DataView(bits.buffer), dtype: 'bitmask', shape: [10] }, 10, 'selected')).toThrow(
      /past 10 points/,
    );
  });
});
