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
export const STATE_HIGHLIGHT = 4;

/**
 * Each basis column as mat4s whose columns are its vec4 chunks: a mat4 goes up in one
 * uniformMatrix4fv call where four vec4 uniforms took four calls (regl sets an array
 * uniform element by element), and the frame's JS cost is mostly per-call overhead.
 */
export function basisMatrices(chunks: number): number {
  return Math.ceil(chunks / 4);
}

function basisUniforms(chunks: number): string {
  const m = basisMatrices(chunks);
  return `uniform mat4 uBx[${m}];\nuniform mat4 uBy[${m}];\nuniform mat4 uBz[${m}];`;
}

/** Chunk k of a basis column (k a constant or an int expression). */
function chunkOf(axis: string, k: number | string): string {
  return typeof k === 'number' ? `${axis}[${k >> 2}][${k & 3}]` : `${axis}[(${k}) / 4][(${k}) - ((${k}) / 4) * 4]`;
}

/** A function `vec3 name()` projecting one layer's point held in attributes prefix0… */
function attributeProjector(chunks: number, name: string, prefix: string): string {
  const attrs = Array.from({ length: chunks }, (_, k) => `attribute vec4 ${prefix}${k};`).join('\n');
  const sum = (axis: string): string =>
    Array.from({ length: chunks }, (_, k) => `dot(${prefix}${k}, ${chunkOf(axis, k)})`).join(' + ');
  return `${attrs}
vec3 ${name}() {
#ifdef FLAT
  return vec3(${sum('uBx')}, ${sum('uBy')}, 0.0);
#else
  return vec3(${sum('uBx')}, ${sum('uBy')}, ${sum('uBz')});
#endif
}`;
}

/** The same, reading the point's coordinates from a float texture. */
function textureProjector(chunks: number, name: string, sampler: string): string {
  return `uniform sampler2D ${sampler};
vec3 ${name}() {
  // Row and column in float: exact for indices below 2^24 (16.7M points).
  float row = floor((aIndex + 0.5) / uPerRow);
  float first = (aIndex - row * uPerRow) * ${chunks}.0;
  vec3 p = vec3(0.0);
  for (int k = 0; k < ${chunks}; k++) {
    vec4 x = texture2D(${sampler}, (vec2(first + float(k), row) + 0.5) / uDataSize);
#ifdef FLAT
    p += vec3(dot(x, ${chunkOf('uBx', 'k')}), dot(x, ${chunkOf('uBy', 'k')}), 0.0);
#else
    p += vec3(dot(x, ${chunkOf('uBx', 'k')}), dot(x, ${chunkOf('uBy', 'k')}), dot(x, ${chunkOf('uBz', 'k')}));
#endif
  }
  return p;
}`;
}

/**
 * The projection of the layer shown, or during a layer switch of both layers, mixed after
 * projecting (the chain is linear, so this is the projection of the mixed point).
 */
function projector(source: PointSource, chunks: number, blend: boolean): string {
  const one = (name: string, tag: string): string =>
    source === 'attributes' ? attributeProjector(chunks, name, `a${tag}`) : textureProjector(chunks, name, `u${tag}`);
  const shared = source === 'texture' ? 'uniform vec2 uDataSize;\nuniform float uPerRow;\n' : '';
  if (!blend) return `${shared}${one('projectPoint', 'X')}`;
  return `${shared}${one('projectTo', 'X')}
${one('projectFrom', 'P')}
uniform float uMix;
vec3 projectPoint() {
  return mix(projectFrom(), projectTo(), uMix);
}`;
}

/**
 * `flat`: the variant for frames where every point is drawn alike (see main()); only
 * without `images`.
 * `images`: the variant that can draw thumbnails. Without it (dots only, the common case)
 * the shaders have one varying instead of four and no thumbnail branch: in software GL
 * every varying is interpolated per fragment, and the difference showed at 1M points.
 */
export function vertexShader(source: PointSource, chunks: number, blend = false, images = true, flat = false): string {
  return `${images ? '#define IMAGES\n' : flat ? '#define FLAT\n' : ''}precision highp float;
${basisUniforms(chunks)}
attribute float aIndex;
${projector(source, chunks, blend)}
attribute vec3 aColor;
attribute float aState;
uniform vec4 uViewToClip;
uniform float uPointSize;
uniform float uHasSelection;
uniform float uHasHighlight;
uniform float uShowImages;
uniform float uImagesSelectedOnly;
uniform float uImageSize;
uniform float uDepth;
uniform float uAtlasFirst;
uniform float uCellsPerRow;
uniform vec2 uCellSize;
varying vec4 vColor;
#ifdef IMAGES
varying float vImage;
varying vec2 vCell;
varying vec2 vCellSize;
#endif

float bit(float state, float value) {
  return mod(floor(state / value), 2.0);
}

void main() {
  float state = floor(aState * 255.0 + 0.5);
  if (bit(state, 2.0) > 0.5) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
#ifdef FLAT
  // Nothing emphasised or faded, no thumbnails, no depth cue: every point alike, and no
  // third axis to project (a third of the projection's work).
  vec3 p = projectPoint();
  gl_Position = vec4(p.xy * uViewToClip.xy + uViewToClip.zw, 0.0, 1.0);
  gl_PointSize = uPointSize;
  vColor = vec4(aColor, 0.9);
#else
  float selected = bit(state, 1.0);
  float highlight = bit(state, 4.0);
  // A hovered handle or class outranks the selection: it is what the pointer asks about.
  float emphasis = uHasHighlight > 0.5 ? highlight : uHasSelection * selected;
  float faded = uHasHighlight > 0.5 ? 1.0 - highlight : uHasSelection * (1.0 - selected);
#ifdef IMAGES
  float image = uShowImages * (1.0 - faded) * (uImagesSelectedOnly > 0.5 ? selected : 1.0);
#else
  float image = 0.0;
#endif
  vec3 p = projectPoint();
  // Emphasised points in front, faded ones behind, thumbnails in front of dots.
  float z = faded > 0.5 ? 0.5 : (image > 0.5 ? -0.6 : (emphasis > 0.5 ? -0.5 : 0.0));
  // Depth cues (uDepth = 0: off): the third axis makes near points larger and in front,
  // far ones smaller and paler, within each layer above.
  float depth = clamp(p.z * uDepth, -1.0, 1.0);
  float far = max(-depth, 0.0);
  gl_Position = vec4(p.xy * uViewToClip.xy + uViewToClip.zw, z - 0.04 * depth, 1.0);
  gl_PointSize = (image > 0.5 ? uImageSize : uPointSize * (1.0 + 0.35 * emphasis)) * (1.0 + 0.5 * depth);
#ifdef IMAGES
  vImage = image;
  float local = aIndex - uAtlasFirst;
  float row = floor((local + 0.5) / uCellsPerRow);
  vCell = vec2(local - row * uCellsPerRow, row) * uCellSize;
  // Passed on as a varying: a uniform shared by both stages must agree in precision.
  vCellSize = uCellSize;
#endif
  vColor = vec4(mix(mix(aColor, vec3(0.62), faded * 0.7), vec3(1.0), 0.5 * far), mix(0.9, 0.22, faded) * (1.0 - 0.45 * far));
#endif
}`;
}

export function fragmentShader(images = true): string {
  return `${images ? '#define IMAGES\n' : ''}precision mediump float;
varying vec4 vColor;
#ifdef IMAGES
uniform sampler2D uAtlas;
varying float vImage;
varying vec2 vCell;
varying vec2 vCellSize;
#endif
void main() {
#ifdef IMAGES
  if (vImage > 0.5) {
    vec2 q = gl_PointCoord;
    // A thin frame in the class colour says which class a thumbnail belongs to.
    if (q.x < 0.06 || q.x > 0.94 || q.y < 0.06 || q.y > 0.94) {
      gl_FragColor = vec4(vColor.rgb, 1.0);
      return;
    }
    gl_FragColor = texture2D(uAtlas, vCell + q * vCellSize);
    return;
  }
#endif
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(c, c);
  if (r2 > 1.0) discard;
  // A soft edge one pixel wide keeps dots round without multisampling.
  float edge = 1.0 - smoothstep(0.7, 1.0, r2);
  gl_FragColor = vec4(vColor.rgb, vColor.a * edge);
}`;
}

export const FRAGMENT_SHADER = fragmentShader(true);
