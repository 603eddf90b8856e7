/**
 * View units ↔ pixels. Data arrive centred with their largest row norm scaled to 1, and
 * every projection is onto orthonormal axes, so every point lies in the unit disc whatever
 * the rotation: the fit depends on the canvas alone and the cloud never rescales mid-tour.
 * Pixels are CSS pixels from the canvas's top-left corner; view y points up.
 */
export interface Viewport {
  width: number;
  height: number;
  zoom: number;
  panX: number;
  panY: number;
  /**
   * The view point drawn at the centre (plus pan): a handle's projected centroid when the
   * tour turns about it, else 0. Every map below subtracts it, so the shader, the lasso,
   * the handles and hover agree.
   */
  centreX: number;
  centreY: number;
}

/** Room left around the unit disc, as a share of the half-extent. */
export const FIT_MARGIN = 0.06;

export function createViewport(width: number, height: number): Viewport {
  return { width, height, zoom: 1, panX: 0, panY: 0, centreX: 0, centreY: 0 };
}

export function pixelsPerUnit(vp: Viewport): number {
  return 0.5 * Math.min(vp.width, vp.height) * (1 - FIT_MARGIN) * vp.zoom;
}

export function viewToPixel(vp: Viewport, x: number, y: number): [number, number] {
  const s = pixelsPerUnit(vp);
  return [vp.width / 2 + vp.panX + s * (x - vp.centreX), vp.height / 2 + vp.panY - s * (y - vp.centreY)];
}

export function pixelToView(vp: Viewport, px: number, py: number): [number, number] {
  const s = pixelsPerUnit(vp);
  return [(px - vp.width / 2 - vp.panX) / s + vp.centreX, -(py - vp.height / 2 - vp.panY) / s + vp.centreY];
}

/** [sx, sy, tx, ty] with clip = view·s + t: the same map as viewToPixel, for the shader. */
export function viewToClip(vp: Viewport): [number, number, number, number] {
  const s = pixelsPerUnit(vp);
  const sx = (2 * s) / vp.width;
  const sy = (2 * s) / vp.height;
  return [sx, sy, (2 * vp.panX) / vp.width - sx * vp.centreX, (-2 * vp.panY) / vp.height - sy * vp.centreY];
}
