// A minimal widget host for tests: a model over plain state (buffers as DataViews) that
// behaves like anywidget's model proxy, and a mount() that imports the bundle from a Blob
// URL the way anywidget does.
window.grandtourTest = {
  async mount(bundleText, state, bufferPaths, buffersB64, el) {
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
    const sent = [];
    const model = {
      get: (key) => state[key],
      set: (key, value) => {
        state[key] = value;
        (listeners.get(`change:${key}`) || []).slice().forEach((cb) => cb());
      },
      on: (name, cb) => listeners.set(name, [...(listeners.get(name) || []), cb]),
      off: (name, cb) => listeners.set(name, (listeners.get(name) || []).filter((f) => f !== cb)),
      save_changes: () => sent.push(Object.keys(state)),
      send: () => {},
      widget_manager: {},
    };
    const url = URL.createObjectURL(new Blob([bundleText], { type: 'text/javascript' }));
    const mod = await import(url);
    const cleanup = await mod.default.render({ model, el });
    return { model, cleanup, sent, state };
  },
};
