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
};
