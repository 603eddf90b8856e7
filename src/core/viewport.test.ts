import { createViewport, pixelToView, viewToClip, viewToPixel } from './viewport';

describe('viewport with a rotation centre', () => {
  test('the centre is drawn at the middle, and pixels, view units and clip space agree', () => {
    const vp = { ...createViewport(640, 480), zoom: 1.7, panX: 13, panY: -21, centreX: 0.31, centreY: -0.12 };
    const [px, py] = viewToPixel(vp, 0.31, -0.12);
    expect(px).toBeCloseTo(320 + 13, 9);
    expect(py).toBeCloseTo(240 - 21, 9);
    for (const [x, y] of [[0, 0], [0.5, -0.25], [-0.9, 0.4]]) {
      const [qx, qy] = viewToPixel(vp, x, y);
      const [bx, by] = pixelToView(vp, qx, qy);
      expect(bx).toBeCloseTo(x, 9);
      expect(by).toBeCloseTo(y, 9);
      const [sx, sy, tx, ty] = viewToClip(vp);
      // clip → pixels: x = (c + 1)/2·w, y = (1 − c)/2·h.
      expect(((x * sx + tx + 1) / 2) * vp.width).toBeCloseTo(qx, 9);
      expect(((1 - (y * sy + ty)) / 2) * vp.height).toBeCloseTo(qy, 9);
    }
  });
});
