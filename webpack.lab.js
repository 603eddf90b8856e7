// Merged by jupyter-builder into the lab extension's build (package.json jupyterlab.webpackConfig):
// regl's unchecked build, as in the anywidget bundle (webpack.config.js says why).
const path = require('path');

module.exports = {
  resolve: { alias: { regl$: path.resolve(__dirname, 'node_modules/regl/dist/regl.unchecked.js') } },
};
