// Two self-contained ES modules, each one file with no split chunks and no assets loaded
// relative to its own URL:
// - tour.js: the anywidget entry (anywidget imports `_esm` from a Blob URL);
// - standalone.js: the host for published HTML, inlined into the page by grandtour.publish.
const path = require('path');

// regl's unchecked build: the same API without its argument checks, which also run inside
// every compiled draw command (development builds keep the checked one for its messages).
const unchecked = { regl$: path.resolve(__dirname, 'node_modules/regl/dist/regl.unchecked.js') };

const config = (entry, filename, production) => ({
  entry,
  target: 'web',
  devtool: false,
  experiments: { outputModule: true },
  output: {
    path: path.resolve(__dirname, 'python-shim/src/grandtour/static'),
    filename,
    library: { type: 'module' },
    chunkFormat: 'module',
    clean: false,
  },
  resolve: { extensions: ['.ts', '.js'], alias: production ? unchecked : {} },
  module: {
    rules: [
      {
        test: /\.ts$/,
        loader: 'ts-loader',
        exclude: /node_modules/,
        options: { configFile: 'tsconfig.json', onlyCompileBundledFiles: true },
      },
      { test: /\.(vert|frag|css)$/, type: 'asset/source' },
    ],
  },
  optimization: { splitChunks: false, runtimeChunk: false },
  performance: { hints: false },
});

module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  return [config('./src/hosts/anywidget.ts', 'tour.js', production), config('./src/hosts/standalone.ts', 'standalone.js', production)];
};
