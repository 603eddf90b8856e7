/**
 * Categorical colours that stay apart as the number of classes grows: a hand-tuned set of
 * 20 first (Tableau 10 and its light partners, which read well on white), then hue steps by
 * the golden angle at three lightness levels, so neighbours in code order never share a hue
 * family. RGB bytes, 3 per class.
 */
const BASE = [
  0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac,
  0x1f4e79, 0xb85b00, 0x8f1d21, 0x2f7d77, 0x2e6b2a, 0xa88a00, 0x6d3f66, 0x17becf, 0x5e4030, 0x6f6a66,
];

export function categoricalColors(count: number): Uint8Array {
  const rgb = new Uint8Array(Math.max(count, 0) * 3);
  for (let c = 0; c < count; c++) {
    let hex: number;
    if (c < BASE.length) {
      hex = BASE[c];
    } else {
      const step = c - BASE.length;
      const hue = (step * 137.508) % 360;
      const lightness = [0.45, 0.62, 0.32][step % 3];
      hex = hslToHex(hue, 0.65, lightness);
    }
    rgb[3 * c] = (hex >> 16) & 255;
    rgb[3 * c + 1] = (hex >> 8) & 255;
    rgb[3 * c + 2] = hex & 255;
  }
  return rgb;
}

export function hexColor(rgb: Uint8Array, index: number): string {
  const value = (rgb[3 * index] << 16) | (rgb[3 * index + 1] << 8) | rgb[3 * index + 2];
  return `#${value.toString(16).padStart(6, '0')}`;
}

function hslToHex(hue: number, saturation: number, lightness: number): number {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255);
  };
  return (channel(0) << 16) | (channel(8) << 8) | channel(4);
}
