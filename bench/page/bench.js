// The in-page half of the benchmarks (run.py drives it with Playwright). Four renderers of
// the same N points, measured one frame at a time in the same page:
//   widget  — the grandtour bundle (python-shim/src/grandtour/static/tour.js) mounted with a
//             plain model, its frame loop driven through the manual requestAnimationFrame;
//   floor   — a bare regl draw of N already-projected 2-D points (position + colour);
//   scatter — regl-scatterplot drawing the same N points (redraw of a static set);
//   cpu     — the UMAP Tour approach: project N×d on the CPU every frame, bufferSubData, draw.
// A frame's JS time is the synchronous work of one frame (performance.now() around it); its
// total time runs until a 1-pixel read of the picture the user sees returns (getImageData on
// the view's 2D canvas, readPixels on a WebGL canvas), which cannot happen before the GPU
// has finished the frame.
import createScatterplot from 'regl-scatterplot';

const B = window.__bench;
const createREGL = window.createREGL;
const BUNDLE = '/python-shim/src/grandtour/static/tour.js';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// -- data ---------------------------------------------------------------------------------

/** n points in k Gaussian-ish blobs in d dims, centred and scaled to largest row norm 1 (as Python does). */
export function makeBlobs(n, d, k = 10, seed = 1) {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const centres = new Float32Array(k * d).map(() => 2 * uniform() - 1);
  const points = new Float32Array(n * d);
  const codes = new Uint8Array(n);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    codes[i] = c;
    for (let j = 0; j < d; j++) {
      const v = centres[c * d + j] + (uniform() + uniform() + uniform() - 1.5) * 0.35;
      points[i * d + j] = v;
      mean[j] += v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = points[i * d + j] - mean[j];
      points[i * d + j] = v;
      norm += v * v;
    }
    if (norm > largest) largest = norm;
  }
  const scale = 1 / Math.sqrt(largest);
  for (let i = 0; i < points.length; i++) points[i] *= scale;
  return { points, codes, n, d, k };
}

const PALETTE = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

function colours(data) {
  const rgb = new Uint8Array(data.n * 3);
  for (let p = 0; p < data.n; p++) rgb.set(PALETTE[data.codes[p] % PALETTE.length], 3 * p);
  return rgb;
}

/** A d×2 orthonormal basis that turns with t (Gram–Schmidt of two moving vectors). */
function basisAt(d, t, out = new Float64Array(2 * d)) {
  const a = new Float64Array(d);
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    a[j] = Math.cos(0.7 * t + j * 1.3);
    b[j] = Math.sin(0.5 * t + j * 0.9 + 0.4);
  }
  const na = Math.hypot(...a);
  for (let j = 0; j < d; j++) a[j] /= na;
  let dot = 0;
  for (let j = 0; j < d; j++) dot += a[j] * b[j];
  for (let j = 0; j < d; j++) b[j] -= dot * a[j];
  const nb = Math.hypot(...b);
  for (let j = 0; j < d; j++) {
    out[2 * j] = a[j];
    out[2 * j + 1] = b[j] / nb;
  }
  return out;
}

/** The CPU projection of the UMAP Tour approach: out[2i..2i+1] = x_i · B. */
function projectCpu(points, n, d, basis, out) {
  const bx = new Float32Array(d);
  const by = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    bx[j] = basis[2 * j];
    by[j] = basis[2 * j + 1];
  }
  for (let i = 0, r = 0, o = 0; i < n; i++, r += d, o += 2) {
    let x = 0;
    let y = 0;
    for (let j = 0; j < d; j++) {
      const v = points[r + j];
      x += v * bx[j];
      y += v * by[j];
    }
    out[o] = x;
    out[o + 1] = y;
  }
  return out;
}

/** The widget's zoom (data-zoom), read after it mounts: every renderer uses its scale. */
let viewZoom = 1;

/** Pixels per view unit, as the widget computes it (core/viewport.ts pixelsPerUnit). */
function pixelsPerUnit(width, height) {
  return 0.5 * Math.min(width, height) * (1 - 0.06) * viewZoom;
}

/** The widget's point size (tour-view.ts pointSize at the fitted zoom), device px. */
export function widgetPointSize(n, width, height) {
  return Math.max(1.5, Math.min(8, (0.4 * Math.min(width, height)) / Math.sqrt(Math.max(n, 1))));
}

// -- the grandtour widget on a plain page ---------------------------------------------------

let bundle = null;
export async function loadBundle() {
  if (!bundle) bundle = await import(BUNDLE);
  return bundle;
}

/** A model that behaves like anywidget's proxy over plain state (buffers as DataViews). */
export function makeModel(state) {
  const listeners = new Map();
  return {
    state,
    sent: 0,
    get: (key) => state[key],
    set(key, value) {
      state[key] = value;
      for (const cb of (listeners.get(`change:${key}`) || []).slice()) cb();
    },
    on: (name, cb) => listeners.set(name, [...(listeners.get(name) || []), cb]),
    off: (name, cb) => listeners.set(name, (listeners.get(name) || []).filter((f) => f !== cb)),
    save_changes() {
      this.sent++;
    },
    send: () => {},
    widget_manager: {},
  };
}

export function widgetState(data, { playing = true, height = 480, lod = true } = {}) {
  const wire = (array, dtype, shape) => ({ view: new DataView(array.buffer, array.byteOffset, array.byteLength), dtype, shape });
  return {
    _uid: `bench-${Math.random().toString(36).slice(2)}`,
    _layers: [{ name: 'blobs', points: wire(data.points, 'float32', [data.n, data.d]) }],
    _labels: wire(data.codes, 'uint8', [data.n]),
    _label_names: Array.from({ length: data.k }, (_, c) => `class ${c}`),
    layer: 'blobs',
    selected: wire(new Uint32Array(0), 'uint32', [0]),
    playing,
    speed: 1,
    projection: Array.from({ length: data.d }, (_, j) => [j === 0 ? 1 : 0, j === 1 ? 1 : 0]),
    seed: 0,
    height,
    _handles: [],
    _images: null,
    show_images: false,
    images_selected_only: false,
    hidden_classes: [],
    _link: null,
    _align: null,
    // Level of detail (a sample while moving when full frames are slow): the render
    // comparison turns it off so that every renderer draws all N points.
    level_of_detail: lod,
  };
}

/**
 * Mount the widget into `host`. With B.manual set, the callbacks it asks
 * requestAnimationFrame for are noted (the frame loop's tick re-requests itself, the same
 * function every time), so frame() can run exactly the widget's frame.
 */
export async function mountWidget(host, data, options = {}) {
  const module = await loadBundle();
  const model = makeModel(widgetState(data, options));
  const queued = new Set(B.queue);
  B.owner = 'widget';
  const cleanup = await module.default.render({ model, el: host });
  const root = host.querySelector('.grandtour');
  const canvas = host.querySelector('canvas.grandtour-canvas');
  // The view sizes its canvas from a ResizeObserver: wait for it.
  for (let i = 0; i < 200 && canvas.width === 300 && canvas.height === 150; i++) await sleep(10);
  const fns = new Set(B.queue.filter((e) => !queued.has(e)).map((e) => e.cb));
  // The view's canvas gets its context (2D, or 'bitmaprenderer' for a hand-off) on the
  // widget's first frame: look only after that, asking for a 2D one must not create it.
  let ctx2d;
  B.owner = 'none';
  return {
    name: 'widget',
    model,
    root,
    canvas,
    cleanup,
    fns,
    width: canvas.width,
    height: canvas.height,
    frames: () => B.shown.get(canvas) ?? 0,
    frame(now) {
      // The context is made in the first frame: its GPU bytes count as the widget's.
      B.owner = 'widget';
      B.pump((cb) => fns.has(cb), now);
      B.owner = 'none';
    },
    finish() {
      if (ctx2d === undefined) ctx2d = canvas.getContext('2d');
      // A 2D view: read its pixel (waits for the drawImage copy, hence for the GPU). A
      // hand-off view: read the shared context, which waits for the GPU to finish the frame.
      if (ctx2d) ctx2d.getImageData(0, 0, 1, 1);
      else B.readBack('widget');
    },
    destroy() {
      cleanup();
    },
  };
}

// -- the floor and the CPU-projection renderer ----------------------------------------------

const DOT_VERT = `precision highp float;
attribute vec2 aPos;
attribute vec3 aColor;
uniform vec4 uRot;
uniform vec2 uScale;
uniform float uPointSize;
varying vec4 vColor;
void main() {
  vec2 p = vec2(uRot.x * aPos.x + uRot.y * aPos.y, uRot.z * aPos.x + uRot.w * aPos.y);
  gl_Position = vec4(p * uScale, 0.0, 1.0);
  gl_PointSize = uPointSize;
  vColor = vec4(aColor, 0.9);
}`;

// The widget's dot: round, one-pixel soft edge, blended.
const DOT_FRAG = `precision mediump float;
varying vec4 vColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(c, c);
  if (r2 > 1.0) discard;
  float edge = 1.0 - smoothstep(0.7, 1.0, r2);
  gl_FragColor = vec4(vColor.rgb, vColor.a * edge);
}`;

function dotRenderer(name, stage, data, width, height, pointSize, cpu, copy = false) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.cssText = `width:${width}px;height:${height}px;display:block`;
  // With `copy`, the widget's way of presenting: draw offscreen, drawImage into a 2D canvas.
  const view = copy ? canvas.cloneNode() : null;
  const view2d = view ? view.getContext('2d') : null;
  stage.appendChild(view ?? canvas);
  B.owner = name;
  const regl = createREGL({
    canvas,
    attributes: { alpha: true, antialias: false, depth: false, premultipliedAlpha: false, preserveDrawingBuffer: false },
  });
  B.owner = 'none';
  const gl = regl._gl;
  const { n, d } = data;
  const xy = new Float32Array(2 * n);
  projectCpu(data.points, n, d, basisAt(d, 0), xy);
  const position = regl.buffer({ usage: cpu ? 'dynamic' : 'static', type: 'float', data: xy });
  const colour = regl.buffer({ usage: 'static', type: 'uint8', data: colours(data) });
  const s = pixelsPerUnit(width, height);
  const draw = regl({
    vert: DOT_VERT,
    frag: DOT_FRAG,
    attributes: {
      aPos: { buffer: position, size: 2 },
      aColor: { buffer: colour, normalized: true, size: 3 },
    },
    uniforms: {
      uRot: regl.prop('rot'),
      uScale: [(2 * s) / width, (2 * s) / height],
      uPointSize: pointSize,
    },
    count: n,
    primitive: 'points',
    depth: { enable: false },
    blend: {
      enable: true,
      func: { srcRGB: 'src alpha', dstRGB: 'one minus src alpha', srcAlpha: 'one', dstAlpha: 'one minus src alpha' },
    },
  });
  const basis = new Float64Array(2 * d);
  const pixel = new Uint8Array(4);
  let t = 0;
  return {
    name,
    canvas,
    frame() {
      t += 0.05;
      let rot = [1, 0, 0, 1];
      if (cpu) {
        // The UMAP Tour approach: the whole projection on the CPU, then one upload.
        const t0 = performance.now();
        projectCpu(data.points, n, d, basisAt(d, t, basis), xy);
        const t1 = performance.now();
        position.subdata(xy);
        B.cpuSplit = { project: t1 - t0, upload: performance.now() - t1 };
      } else {
        rot = [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)];
      }
      regl.poll();
      regl.clear({ color: [0, 0, 0, 0] });
      draw({ rot });
      if (view2d) {
        view2d.globalCompositeOperation = 'copy';
        view2d.drawImage(canvas, 0, 0);
        view2d.globalCompositeOperation = 'source-over';
      }
    },
    finish() {
      if (view2d) view2d.getImageData(0, 0, 1, 1);
      else gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    },
    destroy() {
      regl.destroy();
      (view ?? canvas).remove();
    },
  };
}

/**
 * Variants that isolate one part of the widget's cost (not competitors):
 *   gpuproj — a bare regl draw that projects in the vertex shader like the widget (d floats
 *             per point as vec4 attributes, the d×2 basis as uniforms), with nothing else;
 *   bitmap  — the floor drawn on an OffscreenCanvas and handed to a visible canvas with
 *             transferToImageBitmap (zero-copy), instead of drawImage into a 2D canvas.
 */
function variantRenderer(name, stage, data, width, height, pointSize) {
  const { n, d } = data;
  const chunks = Math.ceil(d / 4);
  let canvas;
  let view = null;
  let bitmapContext = null;
  if (name === 'bitmap') {
    canvas = new OffscreenCanvas(width, height);
    view = document.createElement('canvas');
    view.width = width;
    view.height = height;
    view.style.cssText = `width:${width}px;height:${height}px;display:block`;
    bitmapContext = view.getContext('bitmaprenderer');
    stage.appendChild(view);
  } else {
    canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.style.cssText = `width:${width}px;height:${height}px;display:block`;
    stage.appendChild(canvas);
  }
  B.owner = name;
  const attrs = { alpha: true, antialias: false, depth: false, premultipliedAlpha: false, preserveDrawingBuffer: false };
  const gl = name === 'bitmap' ? canvas.getContext('webgl', attrs) : null;
  if (gl && !B.contexts.some((c) => c.ctx === gl)) B.contexts.push({ owner: name, ctx: gl, canvas, objects: new Map() });
  const regl = gl ? createREGL({ gl }) : createREGL({ canvas, attributes: attrs });
  B.owner = 'none';
  const maxAttribs = regl._gl.getParameter(regl._gl.MAX_VERTEX_ATTRIBS);
  if (name === 'gpuproj' && chunks + 1 > maxAttribs) {
    regl.destroy();
    canvas.remove();
    return null;
  }
  const colour = regl.buffer({ usage: 'static', type: 'uint8', data: colours(data) });
  const s = pixelsPerUnit(width, height);
  const blend = {
    enable: true,
    func: { srcRGB: 'src alpha', dstRGB: 'one minus src alpha', srcAlpha: 'one', dstAlpha: 'one minus src alpha' },
  };
  let draw;
  const basis = new Float64Array(2 * d);
  const bx = Array.from({ length: chunks }, () => new Float32Array(4));
  const by = Array.from({ length: chunks }, () => new Float32Array(4));
  if (name === 'gpuproj') {
    const padded = new Float32Array(n * chunks * 4);
    for (let p = 0; p < n; p++) for (let j = 0; j < d; j++) padded[p * chunks * 4 + j] = data.points[p * d + j];
    const points = regl.buffer({ usage: 'static', type: 'float', data: padded });
    const attributes = { aColor: { buffer: colour, normalized: true, size: 3 } };
    const uniforms = { uScale: [(2 * s) / width, (2 * s) / height], uPointSize: pointSize };
    const sum = (axis) => Array.from({ length: chunks }, (_, k) => `dot(aX${k}, ${axis}[${k}])`).join(' + ');
    for (let k = 0; k < chunks; k++) {
      attributes[`aX${k}`] = { buffer: points, stride: chunks * 16, offset: k * 16, size: 4 };
      uniforms[`uBx[${k}]`] = () => bx[k];
      uniforms[`uBy[${k}]`] = () => by[k];
    }
    draw = regl({
      vert: `precision highp float;
${Array.from({ length: chunks }, (_, k) => `attribute vec4 aX${k};`).join('\n')}
attribute vec3 aColor;
uniform vec4 uBx[${chunks}];
uniform vec4 uBy[${chunks}];
uniform vec2 uScale;
uniform float uPointSize;
varying vec4 vColor;
void main() {
  gl_Position = vec4(vec2(${sum('uBx')}, ${sum('uBy')}) * uScale, 0.0, 1.0);
  gl_PointSize = uPointSize;
  vColor = vec4(aColor, 0.9);
}`,
      frag: DOT_FRAG,
      attributes,
      uniforms,
      count: n,
      primitive: 'points',
      depth: { enable: false },
      blend,
    });
  } else {
    const xy = new Float32Array(2 * n);
    projectCpu(data.points, n, d, basisAt(d, 0), xy);
    const position = regl.buffer({ usage: 'static', type: 'float', data: xy });
    draw = regl({
      vert: DOT_VERT,
      frag: DOT_FRAG,
      attributes: { aPos: { buffer: position, size: 2 }, aColor: { buffer: colour, normalized: true, size: 3 } },
      uniforms: { uRot: regl.prop('rot'), uScale: [(2 * s) / width, (2 * s) / height], uPointSize: pointSize },
      count: n,
      primitive: 'points',
      depth: { enable: false },
      blend,
    });
  }
  const pixel = new Uint8Array(4);
  const raw = regl._gl;
  let t = 0;
  return {
    name,
    canvas: view ?? canvas,
    frame() {
      t += 0.05;
      if (name === 'gpuproj') {
        basisAt(d, t, basis);
        for (let k = 0; k < chunks; k++) {
          for (let r = 0; r < 4; r++) {
            const j = 4 * k + r;
            bx[k][r] = j < d ? basis[2 * j] : 0;
            by[k][r] = j < d ? basis[2 * j + 1] : 0;
          }
        }
      }
      regl.poll();
      regl.clear({ color: [0, 0, 0, 0] });
      draw({ rot: [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)] });
      if (bitmapContext) bitmapContext.transferFromImageBitmap(canvas.transferToImageBitmap());
    },
    finish() {
      // After the hand-off the context has a fresh buffer; the read still waits for the GPU.
      raw.readPixels(0, 0, 1, 1, raw.RGBA, raw.UNSIGNED_BYTE, pixel);
    },
    destroy() {
      regl.destroy();
      (view ?? canvas).remove?.();
    },
  };
}

// -- regl-scatterplot ---------------------------------------------------------------------

async function scatterRenderer(stage, data, width, height, pointSize) {
  const canvas = document.createElement('canvas');
  canvas.style.cssText = `width:${width}px;height:${height}px;display:block`;
  stage.appendChild(canvas);
  const queued = new Set(B.queue);
  B.owner = 'scatter';
  const scatterplot = createScatterplot({
    canvas,
    width,
    height,
    pointSize,
    colorBy: 'valueA',
    pointColor: PALETTE.map(([r, g, b]) => [r / 255, g / 255, b / 255, 1]),
    opacity: 0.9,
  });
  B.owner = 'none';
  const { n } = data;
  const xy = new Float32Array(2 * n);
  projectCpu(data.points, n, data.d, basisAt(data.d, 0), xy);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const valueA = new Float32Array(n);
  // regl-scatterplot fits [-1, 1] to the shorter side: the widget's pixels per unit.
  const s = (2 * pixelsPerUnit(width, height)) / Math.min(width, height);
  for (let i = 0; i < n; i++) {
    x[i] = Math.max(-1, Math.min(1, xy[2 * i] * s));
    y[i] = Math.max(-1, Math.min(1, xy[2 * i + 1] * s));
    valueA[i] = data.codes[i];
  }
  // Uploading the points resolves after its spatial index is built; keep its frames going.
  let done = false;
  scatterplot.draw({ x, y, valueA }, { valueADataType: 'categorical' }).then(() => {
    done = true;
  });
  const others = (cb) => !(B.widgetFns && B.widgetFns.has(cb));
  for (let i = 0; i < 6000 && !done; i++) {
    if (B.manual) B.pump(others);
    await sleep(10);
  }
  if (!done) throw new Error('regl-scatterplot did not finish drawing the points');
  const fns = new Set(B.queue.filter((e) => !queued.has(e)).map((e) => e.cb));
  const ctx2d = canvas.getContext('2d');
  return {
    name: 'scatter',
    canvas,
    frame(now) {
      scatterplot.redraw();
      B.pump(others, now);
    },
    finish() {
      ctx2d.getImageData(0, 0, 1, 1);
    },
    destroy() {
      scatterplot.destroy();
      canvas.remove();
    },
    fns,
  };
}

// -- the render comparison ----------------------------------------------------------------

/**
 * Let the browser composite what the last frame changed before the next one is timed, so
 * that one renderer's frame does not pay for the compositing of another's picture.
 */
async function settleGpu(ms) {
  await B.realFrame();
  await B.realFrame();
  await sleep(ms);
}

async function measure(renderer) {
  B.drawImageMs = 0;
  const t0 = performance.now();
  renderer.frame(t0);
  const t1 = performance.now();
  renderer.finish();
  const t2 = performance.now();
  const m = { js: t1 - t0, copy: B.drawImageMs, total: t2 - t0 };
  if (renderer.name === 'cpu' && B.cpuSplit) Object.assign(m, { project: B.cpuSplit.project, upload: B.cpuSplit.upload });
  return m;
}

/**
 * Build all four renderers of the same data in this page, then draw `frames` frames of
 * each, interleaved (widget, floor, scatter, cpu, widget, …) so that load from other jobs
 * falls on all of them alike; the first `warmup` rounds are dropped.
 */
export async function renderSuite({ n, d, frames = 5, warmup = 2, width = 640, settle = 50, renderers = ['widget', 'floor', 'scatter', 'cpu', 'floorcopy', 'gpuproj', 'bitmap'] }) {
  B.manual = true;
  const stage = document.getElementById('stage');
  stage.replaceChildren();
  const t0 = performance.now();
  const data = makeBlobs(n, d);
  const setup = { data_ms: performance.now() - t0 };
  const host = document.createElement('div');
  host.style.cssText = `width:${width}px`;
  stage.appendChild(host);
  const list = [];
  let t = performance.now();
  const widget = await mountWidget(host, data, { lod: false });
  B.widgetFns = widget.fns;
  // The first frame uploads the data: time it on its own.
  const first = await measure(widget);
  setup.widget_first_frame_ms = first.total;
  setup.widget_mount_ms = performance.now() - t;
  const { width: w, height: h } = widget;
  const pointSize = widgetPointSize(n, w, h);
  viewZoom = Number(widget.root.dataset.zoom) || 1;
  setup.zoom = viewZoom;
  if (renderers.includes('widget')) list.push(widget);
  if (renderers.includes('floor')) list.push(dotRenderer('floor', stage, data, w, h, pointSize, false));
  if (renderers.includes('scatter')) {
    t = performance.now();
    list.push(await scatterRenderer(stage, data, w, h, pointSize));
    setup.scatter_setup_ms = performance.now() - t;
  }
  if (renderers.includes('cpu')) list.push(dotRenderer('cpu', stage, data, w, h, pointSize, true));
  if (renderers.includes('floorcopy')) list.push(dotRenderer('floorcopy', stage, data, w, h, pointSize, false, true));
  for (const variant of ['gpuproj', 'bitmap']) {
    if (!renderers.includes(variant)) continue;
    const r = variantRenderer(variant, stage, data, w, h, pointSize);
    if (r) list.push(r);
  }
  const samples = Object.fromEntries(list.map((r) => [r.name, []]));
  const framesBefore = widget.frames();
  for (let round = 0; round < warmup + frames; round++) {
    // Each round starts with the next renderer, so none always follows the same other.
    const order = list.map((_, i) => list[(i + round) % list.length]);
    for (const r of order) {
      const m = await measure(r);
      if (round >= warmup) samples[r.name].push(m);
      await settleGpu(settle);
    }
  }
  const drawn = widget.frames() - framesBefore;
  const summary = {};
  for (const [name, ms] of Object.entries(samples)) {
    summary[name] = {
      js_ms: median(ms.map((m) => m.js)),
      js_outside_copy_ms: median(ms.map((m) => m.js - m.copy)),
      copy_ms: median(ms.map((m) => m.copy)),
      total_ms: median(ms.map((m) => m.total)),
      ...(name === 'cpu' ? { project_ms: median(ms.map((m) => m.project)), upload_ms: median(ms.map((m) => m.upload)) } : {}),
      frames: ms,
    };
  }
  const gpu = {};
  for (const name of ['widget', 'floor', 'scatter', 'cpu', 'floorcopy', 'gpuproj', 'bitmap']) gpu[name] = B.gpuBytes(name);
  for (const r of list) if (r !== widget) r.destroy();
  widget.destroy();
  B.widgetFns = null;
  B.manual = false;
  B.queue = [];
  return {
    n,
    d,
    width: w,
    height: h,
    point_size: pointSize,
    widget_frames_drawn: drawn,
    widget_frames_expected: renderers.includes('widget') ? warmup + frames : 0,
    setup,
    renderers: summary,
    gpu_bytes: gpu,
  };
}

/**
 * The widget alone, its frame timed with and without a pointer resting on the plot (hover
 * picking projects every point on the CPU in the frame while n·d ≤ 4M).
 */
export async function hoverCost({ n, d, frames = 5 }) {
  B.manual = true;
  const stage = document.getElementById('stage');
  stage.replaceChildren();
  const host = document.createElement('div');
  host.style.cssText = 'width:640px';
  stage.appendChild(host);
  const data = makeBlobs(n, d);
  const widget = await mountWidget(host, data, { lod: false });
  B.widgetFns = widget.fns;
  await measure(widget);
  const run = async () => {
    const out = [];
    for (let i = 0; i < frames + 1; i++) {
      const m = await measure(widget);
      if (i > 0) out.push(m);
      await sleep(5);
    }
    return out;
  };
  const idle = await run();
  const plot = host.querySelector('.grandtour-plot');
  const rect = plot.getBoundingClientRect();
  let k = 0;
  const move = () =>
    plot.dispatchEvent(
      new PointerEvent('pointermove', { bubbles: true, pointerType: 'mouse', clientX: rect.left + rect.width / 2 + (k++ % 9), clientY: rect.top + rect.height / 2 }),
    );
  move();
  const resting = await run();
  // The pointer moving: one pointermove before every frame.
  const moving = [];
  for (let i = 0; i < frames; i++) {
    move();
    moving.push(await measure(widget));
    await sleep(5);
  }
  widget.destroy();
  B.widgetFns = null;
  B.manual = false;
  B.queue = [];
  const js = (ms) => median(ms.map((m) => m.js - m.copy));
  return {
    n,
    d,
    js_outside_copy_ms_no_pointer: js(idle),
    js_outside_copy_ms_pointer_resting: js(resting),
    js_outside_copy_ms_pointer_moving: js(moving),
    idle,
    resting,
    moving,
  };
}

// -- memory ---------------------------------------------------------------------------------

let memoryData = null;
let memoryWidget = null;

/** Step 1: make the data (the wire buffer a kernel would send). */
export function memoryMakeData(n, d) {
  memoryData = makeBlobs(n, d);
  return { raw_float32_bytes: memoryData.points.byteLength, label_bytes: memoryData.codes.byteLength };
}

/** Step 2: mount the widget on that data and draw a few frames (real requestAnimationFrame). */
export async function memoryMount() {
  B.manual = false;
  const stage = document.getElementById('stage');
  stage.replaceChildren();
  const host = document.createElement('div');
  host.style.cssText = 'width:640px';
  stage.appendChild(host);
  B.owner = 'widget';
  memoryWidget = await mountWidget(host, memoryData, {});
  B.owner = 'widget';
  for (let i = 0; i < 6000 && memoryWidget.frames() < 2; i++) await sleep(10);
  B.owner = 'none';
  // Pause: the measurement should not race a frame.
  memoryWidget.model.set('playing', false);
  await sleep(50);
  const gpu = B.gpuBytes('widget');
  const stats = (await loadBundle()).testing.glStats();
  return { frames: memoryWidget.frames(), gpu_bytes: gpu, gl_stats: stats };
}

/** Step 3: a pointer move over the plot and a frame (hover picking keeps a 2N Float64Array). */
export async function memoryHover() {
  const plot = memoryWidget.root.querySelector('.grandtour-plot');
  const rect = plot.getBoundingClientRect();
  const before = memoryWidget.frames();
  plot.dispatchEvent(
    new PointerEvent('pointermove', { bubbles: true, pointerType: 'mouse', clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 }),
  );
  for (let i = 0; i < 6000 && memoryWidget.frames() === before; i++) await sleep(10);
  await sleep(50);
  return { frames: memoryWidget.frames() - before };
}

export function memoryRelease() {
  memoryWidget?.destroy();
  memoryWidget = null;
  memoryData = null;
}

// -- responsiveness ------------------------------------------------------------------------

let probe = null;

/**
 * Mount the widget, touring, on the real requestAnimationFrame, and note for every pointer
 * or click event reaching the plot how long it waited (event.timeStamp → handler), and for a
 * timer ticking every `period` ms how late each tick ran.
 */
export async function responsivenessStart({ n, d, period = 50, lod = true }) {
  B.manual = false;
  const stage = document.getElementById('stage');
  stage.replaceChildren();
  const host = document.createElement('div');
  host.style.cssText = 'width:640px';
  stage.appendChild(host);
  const data = makeBlobs(n, d);
  const widget = await mountWidget(host, data, { lod });
  B.owner = 'widget';
  for (let i = 0; i < 6000 && widget.frames() < 2; i++) await sleep(10);
  B.owner = 'none';
  const plot = host.querySelector('.grandtour-plot');
  const events = [];
  const record = (event) => events.push({ type: event.type, trusted: event.isTrusted, delay: performance.now() - event.timeStamp, at: performance.now() });
  for (const type of ['pointermove', 'pointerdown', 'pointerup', 'click']) plot.addEventListener(type, record, { capture: true });
  probe = { widget, plot, events, timer: [], period, synthetic: [] };
  // A timer that wants to run every `period` ms: its lateness is how long any task waits.
  const start = performance.now();
  let k = 1;
  const tick = () => {
    const now = performance.now();
    const due = start + k * period;
    probe.timer.push(now - due);
    // A synthetic pointer move "made" when the tick was due: dispatched now, so its delay
    // is the tick's lateness plus the handler's own time.
    const rect = plot.getBoundingClientRect();
    const t = performance.now();
    plot.dispatchEvent(
      new PointerEvent('pointermove', { bubbles: true, pointerType: 'mouse', clientX: rect.left + 30 + (k % 50), clientY: rect.top + 40 }),
    );
    probe.synthetic.push({ lateness: now - due, handler: performance.now() - t });
    while (start + k * period <= performance.now()) k++;
    probe.handle = setTimeout(tick, Math.max(0, start + k * period - performance.now()));
  };
  probe.handle = setTimeout(tick, period);
  B.rafLog = [];
  B.logRaf = true;
  const rect = plot.getBoundingClientRect();
  return { plot: { x: rect.left, y: rect.top, width: rect.width, height: rect.height }, frames: widget.frames() };
}

export function responsivenessStop() {
  clearTimeout(probe.handle);
  B.logRaf = false;
  const { widget, events, timer, synthetic } = probe;
  const frames = widget.frames();
  const pauseButton = widget.root.querySelector('.grandtour-play');
  const badge = widget.root.querySelector('.grandtour-lod');
  const result = {
    frames,
    lod_badge: badge && badge.style.display !== 'none' ? badge.textContent : null,
    raf: B.rafLog.slice(),
    events: events.slice(),
    timer_lateness: timer.slice(),
    synthetic,
    playing_pressed: pauseButton?.getAttribute('aria-pressed'),
  };
  widget.destroy();
  probe = null;
  return result;
}

// -- the frame loop as it runs --------------------------------------------------------------

/**
 * The widget touring on the real requestAnimationFrame, nothing else on the page and no
 * read-back: every callback of its frame loop timed (the main-thread JS per frame as a user
 * gets it), the interval between frames, and the level-of-detail badge.
 */
export async function freeRun({ n, d, seconds = 4, lod = true }) {
  B.manual = false;
  const stage = document.getElementById('stage');
  stage.replaceChildren();
  const host = document.createElement('div');
  host.style.cssText = 'width:640px';
  stage.appendChild(host);
  const data = makeBlobs(n, d);
  B.owner = 'widget';
  const widget = await mountWidget(host, data, { lod });
  B.owner = 'widget';
  for (let i = 0; i < 6000 && widget.frames() < 3; i++) await sleep(10);
  B.owner = 'none';
  B.rafLog = [];
  B.logRaf = true;
  const before = widget.frames();
  await sleep(seconds * 1000);
  B.logRaf = false;
  const log = B.rafLog.slice();
  const frames = widget.frames() - before;
  const badge = widget.root.querySelector('.grandtour-lod');
  const lodBadge = badge && badge.style.display !== 'none' ? badge.textContent : null;
  widget.destroy();
  const starts = log.map((f) => f.start);
  const intervals = starts.slice(1).map((t, i) => t - starts[i]);
  return {
    n,
    d,
    lod,
    seconds,
    frames,
    callback_ms: median(log.map((f) => f.ms)),
    callback_outside_copy_ms: median(log.map((f) => f.ms - f.copyMs)),
    copy_ms: median(log.map((f) => f.copyMs)),
    callback_max_ms: Math.max(...log.map((f) => f.ms)),
    interval_ms: median(intervals),
    lod_badge: lodBadge,
    raf: log,
  };
}
