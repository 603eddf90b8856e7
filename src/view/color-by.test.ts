import { viridis, MISSING_RGB } from '../core/colormap';
import { categoricalColors } from '../core/palette';
import { decodeAttributes, decodeColorBy } from '../widget/traits';
import { colorByAttribute, colorByLabel, formatValue, type Attribute } from './color-by';
import { acquireSession, releaseSession, TourSession } from './session';

function wire(values: ArrayLike<number>, dtype: 'float32' | 'uint8' | 'uint16'): { view: DataView; dtype: string; shape: number[] } {
  const array = dtype === 'float32' ? Float32Array.from(values) : dtype === 'uint8' ? Uint8Array.from(values) : Uint16Array.from(values);
  return { view: new DataView(array.buffer), dtype, shape: [array.length] };
}

function rgbOf(rgb: Uint8Array, p: number): number[] {
  return Array.from(rgb.subarray(3 * p, 3 * p + 3));
}

const attributes = (): unknown[] => [
  { name: 'confidence', kind: 'continuous', values: wire([0.5, 1, Number.NaN, 0], 'float32'), categories: [], range: [0, 1] },
  { name: 'parity', kind: 'categorical', values: wire([0, 1, 0, 2], 'uint8'), categories: ['even', 'odd', 'missing'] },
  { name: 'size', kind: 'ordinal', values: wire([2, 1, 0, 1], 'uint16'), categories: ['S', 'M', 'L'] },
];

describe('colorByLabel', () => {
  test('each point takes its class colour; no label, or a code past the palette, is the unlabelled blue', () => {
    const palette = categoricalColors(3);
    const rgb = colorByLabel(Int32Array.from([2, -1, 0, 7, 1]), palette, 5).rgb;
    expect([0, 1, 2, 3, 4].map((p) => rgbOf(rgb, p))).toEqual([
      rgbOf(palette, 2),
      [78, 121, 167],
      rgbOf(palette, 0),
      [78, 121, 167],
      rgbOf(palette, 1),
    ]);
    expect(rgbOf(colorByLabel(null, palette, 2).rgb, 1)).toEqual([78, 121, 167]);
  });
});

describe('decoding _attributes and color_by', () => {
  test('a valid list decodes with kinds, categories and ranges', () => {
    const decoded = decodeAttributes(attributes(), 4);
    expect(decoded.map((a) => [a.name, a.kind, a.categories, a.range])).toEqual([
      ['confidence', 'continuous', [], [0, 1]],
      ['parity', 'categorical', ['even', 'odd', 'missing'], null],
      ['size', 'ordinal', ['S', 'M', 'L'], null],
    ]);
    expect(decodeAttributes(undefined, 4)).toEqual([]);
  });

  test.each([
    [(a: any[]) => (a[0].kind = 'fuzzy'), /kind: expected one of categorical, ordinal, continuous/],
    [(a: any[]) => (a[0].values = wire([1, 2, 3], 'float32')), /3 values for 4 points/],
    [(a: any[]) => (a[0].values = wire([1, 2, 3, 4], 'uint8')), /dtype must be one of float32/],
    [(a: any[]) => (a[1].categories = ['even', 'odd']), /point 3 has category 2 but there are 2 names/],
    [(a: any[]) => (a[1].categories = []), /needs its category names/],
    [(a: any[]) => (a[0].range = [2, 1]), /range: expected \[min, max\]/],
    [(a: any[]) => (a[2].name = 'parity'), /a second attribute with this name/],
    [(a: any[]) => (a[2].name = 'label'), /taken by a built-in colouring/],
    [(a: any[]) => (a[2] = null), /_attributes\[2\]: expected \{name, kind, values, categories\}/],
  ])('malformed entry %#: a readable error', (breakage, message) => {
    const list = attributes();
    breakage(list as any[]);
    expect(() => decodeAttributes(list, 4)).toThrow(message);
  });

  test('color_by names what is available, and says why not', () => {
    const decoded = decodeAttributes(attributes(), 4);
    const options = { movement: false, difference: false };
    expect(decodeColorBy(undefined, decoded, options)).toBe('label');
    expect(decodeColorBy('size', decoded, options)).toBe('size');
    expect(() => decodeColorBy('movement', decoded, options)).toThrow(/movement needs two or more layers/);
    expect(() => decodeColorBy('nope', decoded, options)).toThrow(/"nope" is not available; choose one of "label", "confidence", "parity", "size"/);
    expect(() => decodeColorBy(3, decoded, options)).toThrow(/expected a string/);
    expect(decodeColorBy('movement', decoded, { movement: true, difference: false })).toBe('movement');
  });
});

describe('attribute colourings', () => {
  const decoded = (): Attribute[] => decodeAttributes(attributes(), 4);

  test('continuous: viridis over the range, NaN grey, a colour bar', () => {
    const { rgb, key } = colorByAttribute(decoded()[0], 4);
    expect(rgbOf(rgb, 0)).toEqual(viridis(0.5));
    expect(rgbOf(rgb, 1)).toEqual(viridis(1));
    expect(rgbOf(rgb, 2)).toEqual([...MISSING_RGB]);
    expect(rgbOf(rgb, 3)).toEqual(viridis(0));
    expect(key).toMatchObject({ kind: 'range', title: 'confidence', min: 0, max: 1, missing: true });
  });

  test('categorical: the class palette, "missing" grey', () => {
    const { rgb, key } = colorByAttribute(decoded()[1], 4);
    const palette = categoricalColors(2);
    expect(rgbOf(rgb, 0)).toEqual(rgbOf(palette, 0));
    expect(rgbOf(rgb, 1)).toEqual(rgbOf(palette, 1));
    expect(rgbOf(rgb, 3)).toEqual([...MISSING_RGB]);
    expect(key).toMatchObject({ kind: 'categories', ordinal: false, names: ['even', 'odd', 'missing'] });
  });

  test('ordinal: viridis at band centres in the scale order', () => {
    const { rgb } = colorByAttribute(decoded()[2], 4);
    expect(rgbOf(rgb, 2)).toEqual(viridis(1 / 6));
    expect(rgbOf(rgb, 1)).toEqual(viridis(3 / 6));
    expect(rgbOf(rgb, 0)).toEqual(viridis(5 / 6));
  });

  test('numbers in keys and tooltips', () => {
    expect(formatValue(0.123456)).toBe('0.123');
    expect(formatValue(-2.5)).toBe('−2.5');
    expect(formatValue(123456)).toBe('1.23e+5');
    expect(formatValue(Number.NaN)).toBe('missing');
  });
});

function layer(name: string, points: number[], dims: number) {
  return { name, points: Float32Array.from(points), n: points.length / dims, dims };
}

describe('colouring a session', () => {
  test('movement follows the layer shown; the first layer did not move', () => {
    const session = new TourSession();
    session.setLayers([layer('a', [0, 0, 1, 0], 2), layer('b', [0, 0.5, 1, 0], 2), layer('c', [0, 0.5, 0, 1, 0, 2], 3)], 'b');
    expect(session.colorOptions()).toEqual(['label', 'movement']);
    session.setColorBy('movement');
    expect(session.colorKey).toMatchObject({ kind: 'range', title: 'movement', min: 0, max: 0.5 });
    expect(session.pointDetails(0)).toEqual(['movement: 0.5']);
    session.setCurrentLayer('c');
    // Zero-padded: point 1 gained a third coordinate of 2.
    expect(session.colorKey).toMatchObject({ kind: 'range', max: 2 });
    session.setCurrentLayer('a');
    expect(session.colorKey).toMatchObject({ kind: 'range', max: 0 });
    const key = session.colorKey;
    session.setCurrentLayer('a');
    expect(session.colorKey).toBe(key); // nothing changed: nothing recomputed
  });

  test('attributes recolour; an attribute that is gone falls back to the classes', () => {
    const session = new TourSession();
    session.setLayers([layer('a', [0, 0, 1, 0, 0, 1, 1, 1], 2)], 'a');
    session.setLabels(Uint8Array.from([0, 1, 0, 1]), ['x', 'y']);
    session.setAttributes(decodeAttributes(attributes(), 4));
    expect(session.colorOptions()).toEqual(['label', 'confidence', 'parity', 'size']);
    session.setColorBy('parity');
    expect(session.colorKey.kind).toBe('categories');
    expect(session.pointDetails(3)).toEqual(['confidence: 0', 'parity: missing', 'size: M']);
    session.setAttributes([]);
    expect(session.colorKey.kind).toBe('label');
  });

  test('difference: both sides of a comparison find each other, and follow the partner layer', () => {
    const left = acquireSession('left-uid');
    const right = acquireSession('right-uid');
    try {
      // Right = left rotated 90°, except point 2, moved.
      left.setLayers([layer('a', [1, 0, 0, 1, -1, 0, 0, -1], 2)], 'a');
      right.setLayers([layer('a', [0, 1, -1, 0, 0, -1.5, 1, 0], 2), layer('b', [0, 1, -1, 0, 0, -1, 1, 0], 2)], 'a');
      expect(right.colorOptions()).not.toContain('difference');
      left.setAlignment('right-uid', false);
      expect(left.colorOptions()).toContain('difference');
      expect(right.colorOptions()).toContain('difference');
      left.setColorBy('difference');
      right.setColorBy('difference');
      const worst = (s: TourSession): number => (s.colorKey.kind === 'range' ? s.colorKey.max : -1);
      expect(worst(left)).toBeGreaterThan(0.3);
      expect(worst(right)).toBeCloseTo(worst(left), 5);
      // The partner switches to an exact rotated copy: this side recolours without being asked.
      right.setCurrentLayer('b');
      expect(worst(left)).toBeLessThan(1e-5);
    } finally {
      releaseSession('left-uid');
      releaseSession('right-uid');
    }
  });

  test('difference without a partner on the page: grey, and the key says why', () => {
    const session = new TourSession();
    session.setLayers([layer('a', [0, 0, 1, 0], 2)], 'a');
    session.setColorBy('difference');
    expect(session.colorKey).toMatchObject({ kind: 'range', note: 'needs the compared view on the page' });
  });
});
