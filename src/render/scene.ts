/**
 * The GPU side of one tour: each layer's points (attributes or a float texture), the
 * colour and state of every point, and the draw call. Nothing here is per frame except
 * draw(), which only sets uniforms: no buffer is uploaded and no N-sized array allocated.
 */
import type { Buffer, DrawCommand, Elements, Texture2D } from 'regl';
import { SampleOrder } from './sample-order';
import { packAtlases, type ImageSet } from './atlas';
import { chunkCount } from '../core/projection';
import { basisMatrices, fragmentShader, vertexShader, type PointSource } from './shaders';
import type { SharedGl } from './gl';

/** Attributes besides the coordinates: colour, state and index. */
const OTHER_ATTRIBUTES = 3;

export class SceneLimitError extends Error {
  constructor(message: string) {
    super(`[grandtour] ${message}`);
    this.name = 'SceneLimitError';
  }
}

interface GpuLayer {
  /** Names this upload in the command cache (a layer replaced under its name gets a new one). */
  id: number;
  source: PointSource;
  chunks: number;
  dims: number;
  n: number;
  buffer?: Buffer;
  texture?: Texture2D;
  perRow?: number;
}

export interface DrawParams {
  layer: string;
  /** During a layer switch: the layer being left, and how far the switch has gone (0…1). */
  fromLayer?: string;
  mix?: number;
  /** d×3 row-major basis (x, y, depth). */
  basis: Float64Array;
  viewToClip: [number, number, number, number];
  /** Device pixels. */
  width: number;
  height: number;
  pointSize: number;
  hasSelection: boolean;
  hasHighlight: boolean;
  showImages: boolean;
  imagesSelectedOnly: boolean;
  /** Device pixels. */
  imageSize: number;
  /**
   * Draw only this many points, a fixed random sample (level of detail while moving, when
   * a full frame is too slow); undefined draws every point.
   */
  sample?: number;
  /** Depth cues: p.z times this, clamped to ±1, sizes and fades the points; 0 turns them off. */
  depth?: number;
}

interface GpuAtlas {
  texture: Texture2D;
  first: number;
  count: number;
  cellsPerRow: number;
  cellSize: [number, number];
}

/** Decide how d coordinates reach the vertex shader on this GPU, or say why they cannot. */
export function choosePointSource(gl: SharedGl, dims: number, n: number): PointSource {
  const chunks = chunkCount(dims);
  const { caps } = gl;
  // The basis takes 3 mat4 per 4 chunks; keep 16 vectors for the other uniforms.
  if (3 * 4 * basisMatrices(chunks) + 16 > caps.maxVertexUniformVectors) {
    const most = Math.floor((caps.maxVertexUniformVectors - 16) / 48) * 16;
    throw new SceneLimitError(`d = ${dims} exceeds what this GPU can project (at most ${most} dimensions)`);
  }
  if (chunks + OTHER_ATTRIBUTES <= caps.maxVertexAttribs) return 'attributes';
  if (!caps.floatTextures || caps.maxVertexTextureUnits < 1) {
    const most = (caps.maxVertexAttribs - OTHER_ATTRIBUTES) * 4;
    throw new SceneLimitError(
      `d = ${dims} needs float textures in the vertex shader, which this browser lacks (without them at most ${most} dimensions)`,
    );
  }
  const width = Math.min(caps.maxTextureSize, 4096);
  const rows = Math.ceil(n / Math.floor(width / chunks));
  if (chunks > width || rows > caps.maxTextureSize) {
    throw new SceneLimitError(`${n} points × ${dims} dimensions do not fit this GPU's largest texture`);
  }
  return 'texture';
}

export class PointScene {
  private readonly layers = new Map<string, GpuLayer>();
  private nextLayerId = 1;
  /**
   * Draw commands by layer upload(s) and variant. A command names its buffers and stride
   * itself: regl's dynamic attributes cost more per draw than everything else it does.
   */
  private readonly commands = new Map<string, DrawCommand>();
  private colorBuffer: Buffer;
  private stateBuffer: Buffer;
  private indexBuffer: Buffer | null = null;
  private indexCount = 0;
  private atlases: GpuAtlas[] = [];
  /**
   * A fixed random order of the points: its first k indices are a fair sample of any size.
   * Made as far as a sample has needed (sampleElements holds that prefix on the GPU).
   */
  private sampleOrder: SampleOrder | null = null;
  private sampleElements: Elements | null = null;
  /** Bound when no thumbnails are drawn: a sampler must always have a texture. */
  private readonly blankAtlas: Texture2D;
  private count = 0;
  /**
   * The basis columns x, y, depth as mat4s (column-major: column c of matrix m holds rows
   * 16m + 4c … +3), rewritten every frame; the commands read them through closures.
   */
  private readonly basisMats: { x: Float32Array[]; y: Float32Array[]; z: Float32Array[] } = { x: [], y: [], z: [] };
  private readonly props: Record<string, unknown> = {};

  constructor(private readonly gl: SharedGl) {
    this.colorBuffer = gl.regl.buffer({ usage: 'dynamic', type: 'uint8', length: 3 });
    this.stateBuffer = gl.regl.buffer({ usage: 'dynamic', type: 'uint8', length: 1 });
    this.blankAtlas = gl.regl.texture({ width: 1, height: 1, data: new Uint8Array(4) });
  }

  /** Thumbnails for every point (or none). */
  setImages(images: ImageSet | null): void {
    for (const atlas of this.atlases) atlas.texture.destroy();
    this.atlases = [];
    if (!images) return;
    for (const page of packAtlases(images, this.gl.caps.maxTextureSize)) {
      this.atlases.push({
        texture: this.gl.regl.texture({
          width: page.width,
          height: page.height,
          data: page.pixels,
          min: 'nearest',
          mag: 'nearest',
        }),
        first: page.first,
        count: page.count,
        cellsPerRow: page.cellsPerRow,
        cellSize: page.cellSize,
      });
    }
  }

  get hasImages(): boolean {
    return this.atlases.length > 0;
  }

  /** Upload a layer's points (n×d float32, row-major). Replaces a layer of the same name. */
  setLayer(name: string, points: Float32Array, n: number, dims: number): void {
    const source = choosePointSource(this.gl, dims, n);
    const chunks = chunkCount(dims);
    this.deleteLayer(name);
    const layer: GpuLayer = { id: this.nextLayerId++, source, chunks, dims, n };
    if (source === 'attributes') {
      // The rows go up as they are, d floats apart (the attribute stride), not padded to a
      // multiple of 4 in a copy: at 1M points that copy took 0.46 s plus its garbage. The
      // last vec4 of a row reads into the next row, where the basis is zero; 16 zero bytes
      // after the last row keep that read inside the buffer.
      const rowBytes = dims * 4;
      const buffer = this.gl.regl.buffer({ usage: 'static', type: 'float', length: n * rowBytes + 16 });
      buffer.subdata(points.subarray(0, n * dims), 0);
      layer.buffer = buffer;
    } else {
      const width = Math.min(this.gl.caps.maxTextureSize, 4096);
      const perRow = Math.floor(width / chunks);
      const rows = Math.ceil(n / perRow);
      const texels = new Float32Array(width * rows * 4);
      for (let p = 0; p < n; p++) {
        const row = Math.floor(p / perRow);
        const start = (row * width + (p - row * perRow) * chunks) * 4;
        texels.set(points.subarray(p * dims, (p + 1) * dims), start);
      }
      layer.texture = this.gl.regl.texture({ width, height: rows, data: texels, format: 'rgba', type: 'float', min: 'nearest', mag: 'nearest' });
      layer.perRow = perRow;
    }
    this.ensureIndexBuffer(n);
    // Commands hold buffers (this layer's, and the index buffer, which follows n).
    this.commands.clear();
    if (this.sampleOrder && n !== this.count) this.dropSampleOrder();
    this.layers.set(name, layer);
    this.count = n;
  }

  deleteLayer(name: string): void {
    const layer = this.layers.get(name);
    if (!layer) return;
    layer.buffer?.destroy();
    layer.texture?.destroy();
    this.layers.delete(name);
    // Its commands name its buffer; the others are remade on their next draw (regl keeps
    // the compiled programs).
    this.commands.clear();
  }

  hasLayer(name: string): boolean {
    return this.layers.has(name);
  }

  /** RGB bytes, 3 per point. */
  setColors(rgb: Uint8Array): void {
    this.colorBuffer({ usage: 'dynamic', type: 'uint8', data: rgb });
  }

  /** One byte per point: STATE_* bits. */
  setStates(states: Uint8Array): void {
    this.stateBuffer({ usage: 'dynamic', type: 'uint8', data: states });
  }

  /** Whether two layers can be mixed in one draw (same layout, and attributes to spare). */
  canBlend(from: string, to: string): boolean {
    const a = this.layers.get(from);
    const b = this.layers.get(to);
    if (!a || !b || a === b || a.source !== b.source || a.dims !== b.dims || a.n !== b.n) return false;
    return a.source === 'texture' || 2 * a.chunks + OTHER_ATTRIBUTES <= this.gl.caps.maxVertexAttribs;
  }

  draw(params: DrawParams): void {
    const layer = this.layers.get(params.layer);
    if (!layer) return;
    const from = params.fromLayer !== undefined && this.canBlend(params.fromLayer, params.layer)
      ? this.layers.get(params.fromLayer)
      : undefined;
    const total = Math.min(layer.n, this.count);
    const sampled =
      params.sample !== undefined && params.sample < total && !params.showImages && this.ensureSampleOrder(total, params.sample);
    // Every point at the same depth (no emphasis, no thumbnails, no depth cue): the depth
    // test would pass every fragment, so it is left off (per-fragment work in software GL).
    const layered = params.hasSelection || params.hasHighlight || params.showImages || (params.depth ?? 0) !== 0;
    const images = params.showImages && this.atlases.length > 0;
    const command = this.command(layer, from, sampled, layered, images);
    const props = this.props;
    const { x, y, z } = this.basisMats;
    for (let m = 0; m < basisMatrices(layer.chunks); m++) {
      packColumn(params.basis, layer.dims, 0, m, x[m]);
      packColumn(params.basis, layer.dims, 1, m, y[m]);
      packColumn(params.basis, layer.dims, 2, m, z[m]);
    }
    props.mix = params.mix ?? 1;
    props.viewToClip = params.viewToClip;
    props.pointSize = params.pointSize;
    props.hasSelection = params.hasSelection ? 1 : 0;
    props.hasHighlight = params.hasHighlight ? 1 : 0;
    props.imagesSelectedOnly = params.imagesSelectedOnly ? 1 : 0;
    props.imageSize = params.imageSize;
    props.depth = params.depth ?? 0;
    props.viewport = { x: 0, y: 0, width: params.width, height: params.height };
    this.useAtlas(null);
    if (sampled) {
      props.elements = this.sampleElements;
      props.offset = 0;
      props.count = params.sample;
      command(props);
      return;
    }
    if (params.showImages && this.atlases.length > 0) {
      // One call per atlas: its points are one contiguous index range.
      for (const atlas of this.atlases) {
        this.useAtlas(atlas);
        props.offset = atlas.first;
        props.count = Math.max(0, Math.min(atlas.count, total - atlas.first));
        if (props.count) command(props);
      }
      const covered = this.atlases[this.atlases.length - 1].first + this.atlases[this.atlases.length - 1].count;
      if (covered >= total) return;
      // Points beyond the last thumbnail (fewer images than points cannot happen from
      // Python, but a hand-edited state could): draw them as dots.
      this.useAtlas(null);
      props.offset = covered;
      props.count = total - covered;
    } else {
      props.offset = 0;
      props.count = total;
    }
    command(props);
  }

  /** Bind one atlas's thumbnails, or none (dots only). */
  private useAtlas(atlas: GpuAtlas | null): void {
    const props = this.props;
    props.showImages = atlas ? 1 : 0;
    props.atlas = atlas?.texture ?? this.blankAtlas;
    props.atlasFirst = atlas?.first ?? 0;
    props.cellsPerRow = atlas?.cellsPerRow ?? 1;
    props.cellSize = atlas?.cellSize ?? [1, 1];
  }

  destroy(): void {
    for (const name of [...this.layers.keys()]) this.deleteLayer(name);
    this.colorBuffer.destroy();
    this.stateBuffer.destroy();
    this.indexBuffer?.destroy();
    this.indexBuffer = null;
    this.setImages(null);
    this.dropSampleOrder();
    this.blankAtlas.destroy();
    this.commands.clear();
  }

  private ensureIndexBuffer(n: number): void {
    if (this.indexBuffer && this.indexCount === n) return;
    this.indexBuffer?.destroy();
    this.indexCount = n;
    const indices = new Float32Array(n);
    for (let i = 0; i < n; i++) indices[i] = i;
    this.indexBuffer = this.gl.regl.buffer({ usage: 'static', type: 'float', data: indices });
  }

  /**
   * The points a sampled frame of k points draws (the first k of the sample order), or
   * null when no sample has been drawn at that size: hover picks among what is on screen.
   */
  sampleIndices(k: number): Uint32Array | null {
    const order = this.sampleOrder;
    return order && order.length >= k ? order.prefix.subarray(0, k) : null;
  }

  /** Whether the first k of the sample order are on the GPU (needs 32-bit element indices). */
  private ensureSampleOrder(n: number, k: number): boolean {
    if (!this.gl.caps.uintElements) return false;
    if (!this.sampleOrder) this.sampleOrder = new SampleOrder(n);
    const order = this.sampleOrder;
    const capacity = order.prefix.length;
    const from = order.extend(k);
    if (!this.sampleElements || order.prefix.length !== capacity) {
      this.sampleElements?.destroy();
      this.sampleElements = this.gl.regl.elements({ data: order.prefix, type: 'uint32', primitive: 'points', usage: 'dynamic' });
    } else if (order.length > from) {
      this.sampleElements.subdata(order.prefix.subarray(from, order.length), from * 4);
    }
    return true;
  }

  private dropSampleOrder(): void {
    this.sampleElements?.destroy();
    this.sampleElements = null;
    this.sampleOrder = null;
  }

  private command(layer: GpuLayer, from: GpuLayer | undefined, sampled: boolean, layered: boolean, images: boolean): DrawCommand {
    const key = `${layer.id}:${from?.id ?? 0}:${sampled}:${layered}:${images}`;
    const existing = this.commands.get(key);
    if (existing) return existing;
    const { regl } = this.gl;
    const { source, chunks } = layer;
    const blend = from !== undefined;
    const mats = this.basisMats;
    while (mats.x.length < basisMatrices(chunks)) {
      mats.x.push(new Float32Array(16));
      mats.y.push(new Float32Array(16));
      mats.z.push(new Float32Array(16));
    }
    const uniforms: Record<string, unknown> = {
      uViewToClip: regl.prop<any, any>('viewToClip'),
      uPointSize: regl.prop<any, any>('pointSize'),
      uHasSelection: regl.prop<any, any>('hasSelection'),
      uHasHighlight: regl.prop<any, any>('hasHighlight'),
      uShowImages: regl.prop<any, any>('showImages'),
      uImagesSelectedOnly: regl.prop<any, any>('imagesSelectedOnly'),
      uImageSize: regl.prop<any, any>('imageSize'),
      uDepth: regl.prop<any, any>('depth'),
      uAtlas: regl.prop<any, any>('atlas'),
      uAtlasFirst: regl.prop<any, any>('atlasFirst'),
      uCellsPerRow: regl.prop<any, any>('cellsPerRow'),
      uCellSize: regl.prop<any, any>('cellSize'),
    };
    for (let m = 0; m < basisMatrices(chunks); m++) {
      uniforms[`uBx[${m}]`] = () => mats.x[m];
      uniforms[`uBy[${m}]`] = () => mats.y[m];
      uniforms[`uBz[${m}]`] = () => mats.z[m];
    }
    const attributes: Record<string, unknown> = {
      aColor: { buffer: this.colorBuffer, normalized: true, size: 3 },
      aState: { buffer: this.stateBuffer, normalized: true, size: 1 },
      aIndex: { buffer: this.indexBuffer, size: 1 },
    };
    const layers: [string, GpuLayer][] = from ? [['X', layer], ['P', from]] : [['X', layer]];
    if (blend) uniforms.uMix = regl.prop<any, any>('mix');
    if (source === 'attributes') {
      for (const [tag, { buffer, dims }] of layers) {
        for (let k = 0; k < chunks; k++) {
          // WebGL allows strides up to 255 bytes: 4·d ≤ 208 here (attributes only up to d = 52).
          attributes[`a${tag}${k}`] = { buffer, stride: dims * 4, offset: k * 16, size: 4 };
        }
      }
    } else {
      for (const [tag, { texture }] of layers) uniforms[`u${tag}`] = texture;
      uniforms.uDataSize = [layer.texture?.width ?? 1, layer.texture?.height ?? 1];
      uniforms.uPerRow = layer.perRow ?? 1;
    }
    const command = regl({
      vert: vertexShader(source, chunks, blend, images, !layered && !images),
      frag: fragmentShader(images),
      attributes: attributes as any,
      uniforms: uniforms as any,
      count: regl.prop<any, any>('count'),
      offset: regl.prop<any, any>('offset'),
      ...(sampled ? { elements: regl.prop<any, any>('elements') } : {}),
      primitive: 'points',
      viewport: regl.prop<any, any>('viewport'),
      // The mask stays on even without the test (which then writes nothing): the frame's
      // clear (present.ts) clears depth only under an open mask.
      depth: { enable: layered, func: '<=', mask: true },
      blend: {
        enable: true,
        func: { srcRGB: 'src alpha', dstRGB: 'one minus src alpha', srcAlpha: 'one', dstAlpha: 'one minus src alpha' },
      },
    });
    this.commands.set(key, command);
    return command;
  }
}

/** Rows 16m … 16m+15 of basis column `col` (d×3 row-major), zero past d. */
function packColumn(basis: Float64Array, dims: number, col: number, m: number, out: Float32Array): void {
  for (let r = 0; r < 16; r++) {
    const i = m * 16 + r;
    out[r] = i < dims ? basis[i * 3 + col] : 0;
  }
}
