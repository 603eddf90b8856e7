// One self-contained ES module: anywidget imports `_esm` from a Blob URL, so the
// bundle can have no split chunks and no assets loaded relative to its own URL.
const path = require('path');

module.exports = {
  entry: './src/hosts/anywidget.ts',
  target: 'web',
  devtool: false,
  experiments: { outputModule: true },
  output: {
    path: path.resolve(__dirname, 'python-shim/src/grandtour/static'),
    filename: 'tour.js',
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
};
