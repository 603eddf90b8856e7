/**
 * One WebGL context for the whole page. Browsers keep only ~16 live contexts and a
 * notebook easily shows more tours than that, so every view draws into one offscreen
 * canvas and hands its pixels over (see present.ts). Where the browser has OffscreenCanvas
 * with WebGL the context lives on one, and a finished frame is transferred to the view as
 * an ImageBitmap; otherwise on a detached <canvas>, copied out with drawImage. The context
 * is reference-counted: the last view to go destroys it.
 */
import createREGL from 'regl';
import type { Regl } from 'regl';

export interface GlCaps {
  maxVertexAttribs: number;
  maxVertexUniformVectors: number;
  maxTextureSize: number;
  maxVertexTextureUnits: number;
  floatTextures: boolean;
  /** 32-bit element indices: needed to draw a sample of more than 65,536 points. */
  uintElements: boolean;
}

export interface SharedGl {
  readonly regl: Regl;
  readonly canvas: HTMLCanvasElement | OffscreenCanvas;
  /** The canvas is an OffscreenCanvas: frames go to views by transferToImageBitmap. */
  readonly handOff: boolean;
  readonly caps: GlCaps;
  /** True between webglcontextlost and webglcontextrestored: draw nothing meanwhile. */
  lost: boolean;
  /** Called after the context comes back: every owner re-uploads what it had. */
  readonly onRestore: Set<() => void>;
}

import { pageShared } from '../page-shared';

/** The page's one context and how many views hold it (see page-shared for why global). */
const page = pageShared('gl', () => ({ shared: null as SharedGl | null, users: 0, size: null as [number, number] | null }));

/**
 * The size (device px) of the frame about to be drawn: a context made now starts at it.
 * Resizing an OffscreenCanvas right after the points were uploaded blocked the main thread
 * until the upload was through (1.4 s at 1M × 15 in software WebGL).
 */
export function expectFrameSize(width: number, height: number): void {
  page.size = [Math.max(1, width), Math.max(1, height)];
}

/** The page's context, created on first use. Throws with a readable message if WebGL is unavailable. */
export function acquireGl(doc: Document = document): SharedGl {
  if (!page.shared) page.shared = createSharedGl(doc);
  page.users++;
  return page.shared;
}

export function releaseGl(gl: SharedGl): void {
  if (gl !== page.shared) return;
  page.users--;
  if (page.users > 0) return;
  const context = gl.regl._gl;
  gl.onRestore.clear();
  gl.regl.destroy();
  // Give the context back now rather than whenever the collector runs.
  context.getExtension('WEBGL_lose_context')?.loseContext();
  page.shared = null;
}

/** What the shared context holds now, for leak tests (null: no context). */
export function glStats(): { users: number; buffers: number; textures: number; lost: boolean } | null {
  const shared = page.shared;
  if (!shared) return null;
  const stats = shared.regl.stats;
  return { users: page.users, buffers: stats.bufferCount, textures: stats.textureCount, lost: shared.lost };
}

/** Lose and restore the shared context on purpose (WEBGL_lose_context), for tests. */
export function simulateContextLoss(): { lose(): void; restore(): void } | null {
  const extension = page.shared?.regl._gl.getExtension('WEBGL_lose_context');
  if (!extension) return null;
  return { lose: () => extension.loseContext(), restore: () => extension.restoreContext() };
}

const ATTRIBUTES: WebGLContextAttributes = {
  alpha: true,
  antialias: false,
  depth: true,
  premultipliedAlpha: false,
  preserveDrawingBuffer: false,
};
const OPTIONAL_EXTENSIONS = ['OES_texture_float', 'OES_element_index_uint'];

/**
 * A WebGL context on an OffscreenCanvas, if this browser can hand its frames over as
 * ImageBitmaps. In software WebGL the drawImage copy of a 640×480 frame cost 20–30 ms of
 * GPU time per frame (bench/: "floor + 2D copy" against "floor + bitmap hand-off").
 */
function offscreenContext(doc: Document): { canvas: OffscreenCanvas; context: WebGLRenderingContext } | null {
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  const Offscreen = view?.OffscreenCanvas;
  if (typeof Offscreen !== 'function' || typeof Offscreen.prototype.transferToImageBitmap !== 'function') return null;
  if (typeof view?.ImageBitmapRenderingContext !== 'function') return null;
  try {
    const [width, height] = page.size ?? [1, 1];
    const canvas = new Offscreen(width, height);
    const context = canvas.getContext('webgl', ATTRIBUTES) as WebGLRenderingContext | null;
    return context ? { canvas, context } : null;
  } catch {
    return null;
  }
}

function createSharedGl(doc: Document): SharedGl {
  const offscreen = offscreenContext(doc);
  let canvas: HTMLCanvasElement | OffscreenCanvas;
  let regl: Regl;
  try {
    if (offscreen) {
      canvas = offscreen.canvas;
      regl = createREGL({ gl: offscreen.context, optionalExtensions: OPTIONAL_EXTENSIONS });
    } else {
      const element = doc.createElement('canvas');
      element.width = 1;
      element.height = 1;
      canvas = element;
      regl = createREGL({ canvas: element, attributes: ATTRIBUTES, optionalExtensions: OPTIONAL_EXTENSIONS });
    }
  } catch (error) {
    throw new Error(`[grandtour] WebGL is not available in this browser (${String(error)})`);
  }
  const shared: SharedGl = { regl, canvas, handOff: offscreen !== null, caps: readCaps(regl), lost: false, onRestore: new Set() };
  // regl prevents the default on loss (so the browser may restore) and rebuilds its own
  // objects on restore, but buffers come back empty: the owners re-upload their data.
  (canvas as EventTarget).addEventListener('webglcontextlost', () => {
    shared.lost = true;
  });
  (canvas as EventTarget).addEventListener('webglcontextrestored', () => {
    shared.lost = false;
    for (const restore of shared.onRestore) restore();
  });
  return shared;
}

function readCaps(regl: Regl): GlCaps {
  const gl = regl._gl;
  return {
    maxVertexAttribs: gl.getParameter(gl.MAX_VERTEX_ATTRIBS) as number,
    maxVertexUniformVectors: gl.getParameter(gl.MAX_VERTEX_UNIFORM_VECTORS) as number,
    maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE) as number,
    maxVertexTextureUnits: gl.getParameter(gl.MAX_VERTEX_TEXTURE_IMAGE_UNITS) as number,
    floatTextures: regl.hasExtension('OES_texture_float'),
    uintElements: regl.hasExtension('OES_element_index_uint'),
  };
}

/**
 * Size the shared canvas for a w×h (device pixels) frame; returns whether it changed.
 * A hand-off canvas is exactly the frame (its whole bitmap goes to the view); a copied one
 * only grows, to avoid churn, and the view's pixels are its bottom-left corner.
 */
export function ensureCanvasSize(gl: SharedGl, width: number, height: number): boolean {
  const { canvas } = gl;
  if (gl.handOff) {
    if (canvas.width === width && canvas.height === height) return false;
    canvas.width = width;
    canvas.height = height;
    return true;
  }
  if (canvas.width >= width && canvas.height >= height) return false;
  canvas.width = Math.max(canvas.width, width);
  canvas.height = Math.max(canvas.height, height);
  return true;
}
