/**
 * Draw a view's frame into the shared context, then hand the pixels to the view's own
 * canvas, in the same task as the draw (without preserveDrawingBuffer the browser may clear
 * the drawing buffer once the task ends).
 *
 * Two ways, chosen by the shared context (gl.ts): with an OffscreenCanvas, the frame is
 * transferred as an ImageBitmap to the view's 'bitmaprenderer' canvas (no copy); without
 * one, drawImage copies it into the view's 2D canvas.
 */
import { ensureCanvasSize, type SharedGl } from './gl';

export class Presenter {
  private bitmap: ImageBitmapRenderingContext | null = null;
  private context2d: CanvasRenderingContext2D | null = null;

  /** `target` gets its context on the first frame: its kind depends on the shared context. */
  constructor(private readonly target: HTMLCanvasElement) {}

  present(gl: SharedGl, width: number, height: number, draw: () => void): void {
    if (width < 1 || height < 1) return;
    // regl re-reads the drawing buffer's size in poll(): only needed when it changed.
    if (ensureCanvasSize(gl, width, height)) gl.regl.poll();
    clearFrame(gl.regl._gl);
    draw();
    if (gl.handOff) {
      // Lost during this frame (its event comes later): there is no frame to hand over.
      if (gl.regl._gl.isContextLost()) {
        gl.lost = true;
        return;
      }
      const bitmap = (this.bitmap ??= this.context('bitmaprenderer') as ImageBitmapRenderingContext | null);
      if (bitmap) {
        bitmap.transferFromImageBitmap((gl.canvas as OffscreenCanvas).transferToImageBitmap());
        return;
      }
    }
    const target = (this.context2d ??= this.context('2d') as CanvasRenderingContext2D | null);
    if (!target) return;
    target.globalCompositeOperation = 'copy';
    // GL's origin is bottom-left: the view occupies the bottom rows of the shared canvas.
    target.drawImage(gl.canvas, 0, gl.canvas.height - height, width, height, 0, 0, width, height);
    target.globalCompositeOperation = 'source-over';
  }

  private context(kind: '2d' | 'bitmaprenderer'): RenderingContext | null {
    const context = this.target.getContext(kind);
    if (!context) throw new Error(`[grandtour] a ${kind} canvas is not available`);
    return context;
  }
}

/**
 * Clear colour and depth with three GL calls. regl.clear() first re-applies all of regl's
 * default state, which took a tenth of a frame's JS; it is not needed here because every
 * command leaves the masks clear() obeys as they are by default (scene.ts: depth mask on).
 */
function clearFrame(context: WebGLRenderingContext): void {
  context.clearColor(0, 0, 0, 0);
  context.clearDepth(1);
  context.clear(context.COLOR_BUFFER_BIT | context.DEPTH_BUFFER_BIT);
}
