// A minimal widget host for tests: a model over plain state (buffers as DataViews) that
// behaves like anywidget's model proxy, and a mount() that imports the bundle from a Blob
// URL the way anywidget does.
window.grandtourTest = {
  module: null,
  async load(bundleText) {
    if (!this.module) {
      const url = URL.createObjectURL(new Blob([bundleText], { type: 'text/javascript' }));
      this.module = await import(url);
    }
    return this.module;
  },
  makeModel(state, bufferPaths, buffersB64) {
    const buffers = buffersB64.map((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return new DataView(bytes.buffer);
    });
    bufferPaths.forEach((path, i) => {
      let obj = state;
      for (let k = 0; k < path.length - 1; k++) obj = obj[path[k]];
      obj[path[path.length - 1]] = buffers[i];
    });
    const listeners = new Map();
    const saved = [];
    return {
      state,
      saved,
      get: (key) => state[key],
      set: (key, value) => {
        state[key] = value;
        (listeners.get(`change:${key}`) || []).slice().forEach((cb) => cb());
      },
      on: (name, cb) => listeners.set(name, [...(listeners.get(name) || []), cb]),
      off: (name, cb) => listeners.set(name, (listeners.get(name) || []).filter((f) => f !== cb)),
      save_changes: () => saved.push(JSON.stringify(Object.keys(state))),
      send: () => {},
      widget_manager: {},
    };
  },
  async render(model, el) {
    return await this.module.default.render({ model, el });
  },
  // anywidget imports each widget's module from its own Blob URL: a second instance of the
  // bundle, as a second Tour in JupyterLab gets. Page-wide state must survive that.
  async renderFresh(bundleText, model, el) {
    const url = URL.createObjectURL(new Blob([bundleText], { type: 'text/javascript' }));
    const module = await import(url);
    return await module.default.render({ model, el });
  },
  // Replace a state's points and labels by n points in k Gaussian-ish blobs in d dims,
  // made here in the page (no base64 trip for big data). The points are normalised as
  // the Python side does it: centred, largest row norm 1. Labels are uint8 codes.
  fillBlobs(state, n, d, k, seed = 1) {
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
        // A sum of three uniforms: close enough to a normal for a blob.
        const noise = (uniform() + uniform() + uniform() - 1.5) * 0.35;
        const v = centres[c * d + j] + noise;
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
    state._layers = [{ name: 'blobs', points: { view: new DataView(points.buffer), dtype: 'float32', shape: [n, d] } }];
    state._labels = { view: new DataView(codes.buffer), dtype: 'uint8', shape: [n] };
    state._label_names = Array.from({ length: k }, (_, c) => `class ${c}`);
    state.layer = 'blobs';
    state._handles = [];
    state.selected = { view: new DataView(new ArrayBuffer(0)), dtype: 'uint32', shape: [0] };
    state.projection = Array.from({ length: d }, (_, j) => [j === 0 ? 1 : 0, j === 1 ? 1 : 0]);
    return state;
  },
};
