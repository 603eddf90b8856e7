/**
 * Draw into the shared context, then copy the pixels to a view's own 2D canvas. The
 * copy must happen in the same task as the draw: without preserveDrawingBuffer the
 * browser may clear the drawing buffer once the task ends.
 */
import { ensureCanvasSize, type SharedGl } from './gl';

export function renderInto(
  gl: SharedGl,
  target: CanvasRenderingContext2D,
  width: number,
  height: number,
  draw: () => void,
): void {
  if (width < 1 || height < 1) return;
  ensureCanvasSize(gl, width, height);
  gl.regl.poll();
  gl.regl.clear({ color: [0, 0, 0, 0], depth: 1 });
  draw();
  target.globalCompositeOperation = 'copy';
  // GL's origin is bottom-left: the view occupies the bottom rows of the shared canvas.
  target.drawImage(gl.canvas, 0, gl.canvas.height - height, width, height, 0, 0, width, height);
  target.globalCompositeOperation = 'source-over';
}
