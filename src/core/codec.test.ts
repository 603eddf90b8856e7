import { decodeArray, encodeUint32, WireFormatError } from './codec';
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
