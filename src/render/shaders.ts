/**
 * Shader sources, generated for the number of vec4 chunks a point's coordinates take.
 * The vertex shader does the projection (x·B for the three basis columns); the CPU only
 * uploads the d×3 basis each frame. Points come from vertex attributes when they fit,
 * otherwise from a float texture read in the vertex shader, so any d works.
 */
export type PointSource = 'attributes' | 'texture';

/** Per-point state bits, stored in a ubyte attribute. */
export const STATE_SELECTED = 1;
export const STATE_HIDDEN = 2;

function basisUniforms(chunks: number): string {
  return `uniform vec4 uBx[${chunks}];\nuniform vec4 uBy[${chunks}];\nuniform vec4 uBz[${chunks}];`;
}

function projectFromAttributes(chunks: number): string {
  const attrs = Array.from({ length: chunks }, (_, k) => `attribute vec4 aX${k};`).join('\n');
  const sum = (axis: string): string =>
    Array.from({ length: chunks }, (_, k) => `dot(aX${k}, ${axis}[${k}])`).join(' + ');
  return `${attrs}
vec3 projectPoint() {
  return vec3(${sum('uBx')}, ${sum('uBy')}, ${sum('uBz')});
}`;
}

function projectFromTexture(chunks: number): string {
  return `attribute float aIndex;
uniform sampler2D uData;
uniform vec2 uDataSize;
uniform float uPerRow;
vec3 projectPoint() {
  // Row and column in float: exact for indices below 2^24 (16.7M points).
  float row = floor((aIndex + 0.5) / uPerRow);
  float first = (aIndex - row * uPerRow) * ${chunks}.0;
  vec3 p = vec3(0.0);
  for (int k = 0; k < ${chunks}; k++) {
    vec4 x = texture2D(uData, (vec2(first + float(k), row) + 0.5) / uDataSize);
    p += vec3(dot(x, uBx[k]), dot(x, uBy[k]), dot(x, uBz[k]));
  }
  return p;
}`;
}

export function vertexShader(source: PointSource, chunks: number): string {
  return `precision highp float;
${basisUniforms(chunks)}
${source === 'attributes' ? projectFromAttributes(chunks) : projectFromTexture(chunks)}
attribute vec3 aColor;
attribute float aState;
uniform vec4 uViewToClip;
uniform float uPointSize;
uniform float uHasSelection;
varying vec4 vColor;
void main() {
  float state = floor(aState * 255.0 + 0.5);
  float hidden = mod(floor(state / 2.0), 2.0);
  float selected = mod(state, 2.0);
  if (hidden > 0.5) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  vec3 p = projectPoint();
  // Selected points are drawn in front of the rest, which fade while a selection exists.
  float faded = uHasSelection * (1.0 - selected);
  float z = uHasSelection > 0.5 ? (selected > 0.5 ? -0.5 : 0.5) : 0.0;
  gl_Position = vec4(p.xy * uViewToClip.xy + uViewToClip.zw, z, 1.0);
  gl_PointSize = uPointSize * (1.0 + 0.35 * uHasSelection * selected);
  vec3 grey = vec3(0.62);
  vColor = vec4(mix(aColor, grey, faded * 0.7), mix(0.9, 0.22, faded));
}`;
}

export const FRAGMENT_SHADER = `precision mediump float;
varying vec4 vColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(c, c);
  if (r2 > 1.0) discard;
  // A soft edge one pixel wide keeps dots round without multisampling.
  float edge = 1.0 - smoothstep(0.7, 1.0, r2);
  gl_FragColor = vec4(vColor.rgb, vColor.a * edge);
}`;
