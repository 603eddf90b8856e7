import { continuousColors, finiteRange, MISSING_RGB, ordinalColors, viridis, viridisStops } from './colormap';

/** CIE L* of an sRGB colour (bytes). */
function lightness([r, g, b]: readonly number[]): number {
  const linear = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

describe('viridis', () => {
  test('ends at matplotlib viridis endpoints', () => {
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25]);
    // matplotlib's viridis(0.5) is #21918c.
    const mid = viridis(0.5);
    [0x21, 0x91, 0x8c].forEach((c, i) => expect(Math.abs(mid[i] - c)).toBeLessThanOrEqual(2));
  });

  test('clamps outside [0, 1]', () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
  });

  test('lightness rises monotonically', () => {
    let previous = -Infinity;
    for (let k = 0; k <= 200; k++) {
      const l = lightness(viridis(k / 200));
      expect(l).toBeGreaterThan(previous);
      previous = l;
    }
    expect(lightness(viridis(1)) - lightness(viridis(0))).toBeGreaterThan(70);
  });

  test('NaN is the missing grey', () => {
    expect(viridis(Number.NaN)).toEqual([...MISSING_RGB]);
  });

  test('colour-bar stops run from the first to the last colour', () => {
    const stops = viridisStops(5);
    expect(stops).toHaveLength(5);
    expect(stops[0]).toBe('rgb(68, 1, 84)');
    expect(stops[4]).toBe('rgb(253, 231, 37)');
  });
});

describe('ordinal colours', () => {
  test('sample viridis at band centres, darkest first', () => {
    const rgb = ordinalColors(4);
    expect(rgb).toHaveLength(12);
    for (let k = 0; k < 4; k++) expect(Array.from(rgb.subarray(3 * k, 3 * k + 3))).toEqual(viridis((k + 0.5) / 4));
    const l = [0, 1, 2, 3].map((k) => lightness(Array.from(rgb.subarray(3 * k, 3 * k + 3))));
    expect(l).toEqual([...l].sort((a, b) => a - b));
    expect(ordinalColors(0)).toHaveLength(0);
  });
});

describe('continuous colours', () => {
  test('map the range onto the ends, NaN and infinities to grey', () => {
    const values = new Float32Array([2, 4, Number.NaN, 3, Infinity]);
    const rgb = continuousColors(values, 2, 4);
    expect(Array.from(rgb.subarray(0, 3))).toEqual(viridis(0));
    expect(Array.from(rgb.subarray(3, 6))).toEqual(viridis(1));
    expect(Array.from(rgb.subarray(6, 9))).toEqual([...MISSING_RGB]);
    expect(Array.from(rgb.subarray(9, 12))).toEqual(viridis(0.5));
    expect(Array.from(rgb.subarray(12, 15))).toEqual([...MISSING_RGB]);
  });

  test('a constant attribute is drawn mid-map', () => {
    const rgb = continuousColors([5, 5], 5, 5);
    expect(Array.from(rgb.subarray(0, 3))).toEqual(viridis(0.5));
  });

  test('finite range skips NaN', () => {
    expect(finiteRange([Number.NaN, 3, -1, Infinity, 2])).toEqual([-1, 3]);
    expect(finiteRange([Number.NaN])).toEqual([0, 0]);
  });
});
