/**
 * One WebGL context for the whole page. Browsers keep only ~16 live contexts and a
 * notebook easily shows more tours than that, so every view draws into one offscreen
 * canvas and copies its pixels out (the approach regl-scatterplot takes). The context is
 * reference-counted: the last view to go destroys it.
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
  readonly canvas: HTMLCanvasElement;
  readonly caps: GlCaps;
  /** True between webglcontextlost and webglcontextrestored: draw nothing meanwhile. */
  lost: boolean;
  /** Called after the context comes back: every owner re-uploads what it had. */
  readonly onRestore: Set<() => void>;
}

import { pageShared } from '../page-shared';

/** The page's one context and how many views hold it (see page-shared for why global). */
const page = pageShared('gl', () => ({ shared: null as SharedGl | null, users: 0 }));

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

function createSharedGl(doc: Document): SharedGl {
  const canvas = doc.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  let regl: Regl;
  try {
    regl = createREGL({
      canvas,
      attributes: { alpha: true, antialias: false, depth: true, premultipliedAlpha: false, preserveDrawingBuffer: false },
      optionalExtensions: ['OES_texture_float', 'OES_element_index_uint'],
    });
  } catch (error) {
    throw new Error(`[grandtour] WebGL is not available in this browser (${String(error)})`);
  }
  const shared: SharedGl = { regl, canvas, caps: readCaps(regl), lost: false, onRestore: new Set() };
  // regl prevents the default on loss (so the browser may restore) and rebuilds its own
  // objects on restore, but buffers come back empty: the owners re-upload their data.
  canvas.addEventListener('webglcontextlost', () => {
    shared.lost = true;
  });
  canvas.addEventListener('webglcontextrestored', () => {
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

/** Make the shared canvas at least w×h device pixels (it only grows, to avoid churn). */
export function ensureCanvasSize(gl: SharedGl, width: number, height: number): void {
  const { canvas } = gl;
  if (canvas.width < width || canvas.height < height) {
    canvas.width = Math.max(canvas.width, width);
    canvas.height = Math.max(canvas.height, height);
  }
}
