// Loaded first, as a classic script, before regl, regl-scatterplot or the grandtour bundle:
// it wraps a few browser APIs so the benchmark can see what the renderers do without any
// hook in their code.
//  - requestAnimationFrame: pass-through (timed) or manual, where callbacks wait in a queue
//    and the benchmark runs them as frames one at a time;
//  - CanvasRenderingContext2D.drawImage: time spent in the copy from the WebGL canvas;
//  - drawImage and transferFromImageBitmap: how many pictures each canvas was given;
//  - getContext: every WebGL context made, and by whom (window.__bench.owner);
//  - bufferData / texImage2D / renderbufferStorage (and deletes): live GPU bytes per context.
(() => {
  const realRAF = window.requestAnimationFrame.bind(window);
  const realCAF = window.cancelAnimationFrame.bind(window);
  const B = (window.__bench = {
    manual: false,
    queue: [],
    nextId: 1,
    real: new Map(),
    /** Free-running mode: one record per callback run by the browser. */
    rafLog: [],
    logRaf: false,
    drawImageMs: 0,
    drawImageCalls: 0,
    contexts: [],
    owner: 'none',
  });

  window.requestAnimationFrame = (cb) => {
    const id = B.nextId++;
    if (B.manual) {
      B.queue.push({ id, cb });
    } else {
      B.real.set(
        id,
        realRAF((t) => {
          B.real.delete(id);
          if (!B.logRaf) return cb(t);
          const before = B.drawImageMs;
          const start = performance.now();
          try {
            cb(t);
          } finally {
            const end = performance.now();
            B.rafLog.push({ start, ms: end - start, copyMs: B.drawImageMs - before });
          }
        }),
      );
    }
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    B.queue = B.queue.filter((e) => e.id !== id);
    const real = B.real.get(id);
    if (real !== undefined) {
      realCAF(real);
      B.real.delete(id);
    }
  };
  /** Resolves at the browser's next real animation frame (even in manual mode). */
  B.realFrame = () => new Promise((resolve) => realRAF(() => resolve()));
  /** Run the queued callbacks accepted by `filter` (those they request wait for the next call). */
  B.pump = (filter, now = performance.now()) => {
    const run = B.queue.filter((e) => filter(e.cb));
    B.queue = B.queue.filter((e) => !filter(e.cb));
    for (const e of run) e.cb(now);
    return run.length;
  };

  // Pictures put on each visible canvas, by either hand-off: an exact frame count, where
  // the widget's data-frames attribute follows its count only every 100 ms while it moves.
  B.shown = new WeakMap();
  const shown = (canvas) => B.shown.set(canvas, (B.shown.get(canvas) ?? 0) + 1);
  const transferFromImageBitmap = ImageBitmapRenderingContext.prototype.transferFromImageBitmap;
  ImageBitmapRenderingContext.prototype.transferFromImageBitmap = function (bitmap) {
    shown(this.canvas);
    return transferFromImageBitmap.call(this, bitmap);
  };
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    shown(this.canvas);
    const start = performance.now();
    try {
      return drawImage.apply(this, args);
    } finally {
      B.drawImageMs += performance.now() - start;
      B.drawImageCalls++;
    }
  };

  // On both kinds of canvas: the widget makes its context on an OffscreenCanvas when it can.
  for (const Canvas of [HTMLCanvasElement, window.OffscreenCanvas].filter(Boolean)) {
    const getContext = Canvas.prototype.getContext;
    Canvas.prototype.getContext = function (type, ...rest) {
      const ctx = getContext.call(this, type, ...rest);
      if (ctx && /webgl/.test(String(type)) && !B.contexts.some((c) => c.ctx === ctx)) {
        B.contexts.push({ owner: B.owner, ctx, canvas: this, objects: new Map() });
      }
      return ctx;
    };
  }
  /** A 1-pixel read that returns once the GPU has finished what `owner`'s context was given. */
  B.readBack = (owner) => {
    const entry = B.contexts.find((c) => c.owner === owner && !c.ctx.isContextLost());
    if (entry) entry.ctx.readPixels(0, 0, 1, 1, entry.ctx.RGBA, entry.ctx.UNSIGNED_BYTE, new Uint8Array(4));
  };

  // GPU bytes: the size of every live buffer, texture (level 0) and renderbuffer.
  const entry = (gl) => B.contexts.find((c) => c.ctx === gl);
  const P = WebGLRenderingContext.prototype;
  const G = WebGLRenderingContext;
  const texelBytes = (format, type) => {
    const channels = { [G.RGBA]: 4, [G.RGB]: 3, [G.LUMINANCE_ALPHA]: 2, [G.LUMINANCE]: 1, [G.ALPHA]: 1 }[format] ?? 4;
    const size = type === G.FLOAT ? 4 : type === 0x8d61 /* HALF_FLOAT_OES */ ? 2 : type === G.UNSIGNED_BYTE ? 1 : 2;
    return channels * size;
  };
  const bufferData = P.bufferData;
  P.bufferData = function (target, data, usage) {
    const e = entry(this);
    if (e) {
      const bound = this.getParameter(target === G.ELEMENT_ARRAY_BUFFER ? G.ELEMENT_ARRAY_BUFFER_BINDING : G.ARRAY_BUFFER_BINDING);
      const bytes = typeof data === 'number' ? data : data ? data.byteLength : 0;
      if (bound) e.objects.set(bound, { kind: 'buffer', bytes });
    }
    return bufferData.call(this, target, data, usage);
  };
  const texImage2D = P.texImage2D;
  P.texImage2D = function (...args) {
    const e = entry(this);
    if (e && args[0] === G.TEXTURE_2D && args[1] === 0) {
      const bound = this.getParameter(G.TEXTURE_BINDING_2D);
      let bytes = 0;
      if (args.length >= 8) bytes = args[3] * args[4] * texelBytes(args[6], args[7]);
      else if (args[5]) bytes = (args[5].width || 0) * (args[5].height || 0) * texelBytes(args[3], args[4]);
      if (bound) e.objects.set(bound, { kind: 'texture', bytes });
    }
    return texImage2D.apply(this, args);
  };
  const renderbufferStorage = P.renderbufferStorage;
  P.renderbufferStorage = function (target, format, width, height) {
    const e = entry(this);
    if (e) {
      const bound = this.getParameter(G.RENDERBUFFER_BINDING);
      if (bound) e.objects.set(bound, { kind: 'renderbuffer', bytes: width * height * 4 });
    }
    return renderbufferStorage.call(this, target, format, width, height);
  };
  for (const name of ['deleteBuffer', 'deleteTexture', 'deleteRenderbuffer']) {
    const original = P[name];
    P[name] = function (object) {
      entry(this)?.objects.delete(object);
      return original.call(this, object);
    };
  }
  /** Live GPU bytes of the contexts made by `owner`, by kind (plus the drawing buffers). */
  B.gpuBytes = (owner) => {
    const out = { buffer: 0, texture: 0, renderbuffer: 0, drawingBuffer: 0, objects: 0 };
    for (const c of B.contexts) {
      if (c.owner !== owner || c.ctx.isContextLost()) continue;
      for (const o of c.objects.values()) {
        out[o.kind] += o.bytes;
        out.objects++;
      }
      // Colour + depth of the default framebuffer.
      out.drawingBuffer += c.ctx.drawingBufferWidth * c.ctx.drawingBufferHeight * 8;
    }
    out.total = out.buffer + out.texture + out.renderbuffer + out.drawingBuffer;
    return out;
  };
})();
