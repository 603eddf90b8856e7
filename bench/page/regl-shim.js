// regl's UMD build, loaded by a classic <script>, as the ES module regl-scatterplot imports.
export default window.createREGL;
