// Two self-contained ES modules, each one file with no split chunks and no assets loaded
// relative to its own URL:
// - tour.js: the anywidget entry (anywidget imports `_esm` from a Blob URL);
// - standalone.js: the host for published HTML, inlined into the page by grandtour.publish.
const path = require('path');

const config = (entry, filename) => ({
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
  resolve: { extensions: ['.ts', '.js'] },
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

module.exports = [
  config('./src/hosts/anywidget.ts', 'tour.js'),
  config('./src/hosts/standalone.ts', 'standalone.js'),
];
