/**
 * Everything one tour shares across the views that display it: the data, the clock,
 * the orientation, the selection and the GPU scene. A Tour shown in two output cells
 * is one session: both views show the same frame, and the tour runs at one speed.
 */
import { TourClock } from '../core/clock';
import { basisAt, createOrientation, setBasisAt, type Orientation } from '../core/orientation';
import { categoricalColors } from '../core/palette';
import { acquireGl, releaseGl, type SharedGl } from '../render/gl';
import { PointScene } from '../render/scene';
import { STATE_SELECTED } from '../render/shaders';
import { wake } from './frame-loop';

export interface LayerData {
  name: string;
  points: Float32Array;
  n: number;
  dims: number;
}

/** Neutral colour for points without labels. */
const UNLABELLED = [78, 121, 167];

export class TourSession {
  readonly clock = new TourClock(performance.now());
  layers: LayerData[] = [];
  currentLayer = '';
  labelCodes: ArrayLike<number> | null = null;
  labelNames: string[] = [];
  palette: Uint8Array = new Uint8Array(0);
  selection: Uint32Array = new Uint32Array(0);
  seed = 0;
  /** The wire value the layers were decoded from: views of one model decode it once. */
  dataSource: unknown = null;
  private orientation: Orientation | null = null;
  private readonly basisBuffer: { data: Float64Array } = { data: new Float64Array(0) };
  private gl: SharedGl | null = null;
  private scene: PointScene | null = null;
  private states: Uint8Array = new Uint8Array(0);
  /** Views listen to redraw; the adapter does not, it owns the model. */
  readonly listeners = new Set<() => void>();
  /** Pointer holds (lassos in progress) that freeze the tour. */
  private holds = 0;
  private resumeAfterHold = false;

  get layer(): LayerData | undefined {
    return this.layers.find((l) => l.name === this.currentLayer) ?? this.layers[0];
  }

  get count(): number {
    return this.layers[0]?.n ?? 0;
  }

  /** The scene on the page's shared context; created by the first view that draws. */
  attachGl(): PointScene {
    if (!this.scene) {
      this.gl = acquireGl();
      this.scene = new PointScene(this.gl);
      this.uploadAll();
    }
    return this.scene;
  }

  get sharedGl(): SharedGl | null {
    return this.gl;
  }

  setLayers(layers: LayerData[], current: string): void {
    const n = layers[0]?.n ?? 0;
    if (layers.some((l) => l.n !== n)) throw new Error('[grandtour] layers differ in their number of points');
    const dimsBefore = this.layer?.dims;
    this.layers = layers;
    this.currentLayer = current;
    if (this.layer?.dims !== dimsBefore) this.orientation = null;
    if (this.states.length !== n) this.states = new Uint8Array(n);
    this.uploadAll();
    this.changed();
  }

  setCurrentLayer(name: string): void {
    if (name === this.currentLayer) return;
    const before = this.layer?.dims;
    this.currentLayer = name;
    if (this.layer?.dims !== before) this.orientation = null;
    this.changed();
  }

  setLabels(codes: ArrayLike<number> | null, names: string[]): void {
    this.labelCodes = codes;
    this.labelNames = names;
    this.palette = categoricalColors(names.length);
    this.uploadColors();
    this.changed();
  }

  setSelection(indices: Uint32Array): void {
    if (sameIndices(indices, this.selection)) return;
    this.selection = indices;
    this.uploadStates();
    this.changed();
  }

  setSeed(seed: number): void {
    if (seed === this.seed && this.orientation) return;
    this.seed = seed;
    this.orientation = null;
    this.changed();
  }

  /** The d×3 basis at wall time `now` (a reused buffer: copy it to keep it). */
  basis(now: number): Float64Array {
    const orientation = this.ensureOrientation();
    const size = orientation.plan.dims * 3;
    if (this.basisBuffer.data.length !== size) this.basisBuffer.data = new Float64Array(size);
    return basisAt(orientation, this.clock.time(now), this.basisBuffer.data);
  }

  /** Show exactly this d×2 basis now; the tour continues from it. */
  setProjection(basis2: Float64Array): void {
    const orientation = this.ensureOrientation();
    if (basis2.length !== orientation.plan.dims * 2) return;
    setBasisAt(orientation, this.clock.time(performance.now()), basis2, 2);
    this.changed();
  }

  setPlaying(playing: boolean): void {
    if (this.holds > 0) {
      this.resumeAfterHold = playing;
    } else {
      this.clock.setPlaying(playing, performance.now());
    }
    this.changed();
  }

  get playing(): boolean {
    return this.holds > 0 ? this.resumeAfterHold : this.clock.playing;
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(speed, performance.now());
    this.changed();
  }

  /** Freeze the tour while a pointer gesture is under way; release() resumes it. */
  hold(): void {
    if (this.holds++ === 0) {
      this.resumeAfterHold = this.clock.playing;
      this.clock.setPlaying(false, performance.now());
    }
  }

  release(): void {
    if (this.holds === 0) return;
    if (--this.holds === 0) {
      this.clock.setPlaying(this.resumeAfterHold, performance.now());
      this.changed();
    }
  }

  draw(params: Omit<Parameters<PointScene['draw']>[0], 'layer' | 'basis' | 'hasSelection'>, now: number): void {
    const layer = this.layer;
    if (!layer || !this.scene) return;
    this.scene.draw({
      ...params,
      layer: layer.name,
      basis: this.basis(now),
      hasSelection: this.selection.length > 0,
    });
  }

  destroy(): void {
    this.scene?.destroy();
    this.scene = null;
    if (this.gl) releaseGl(this.gl);
    this.gl = null;
    this.listeners.clear();
  }

  private ensureOrientation(): Orientation {
    const dims = this.layer?.dims ?? 2;
    if (!this.orientation || this.orientation.plan.dims !== dims) {
      this.orientation = createOrientation(dims, this.seed);
    }
    return this.orientation;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
    wake();
  }

  private uploadAll(): void {
    if (!this.scene) return;
    for (const layer of this.layers) this.scene.setLayer(layer.name, layer.points, layer.n, layer.dims);
    this.uploadColors();
    this.uploadStates();
  }

  private uploadColors(): void {
    if (!this.scene) return;
    const n = this.count;
    const rgb = new Uint8Array(n * 3);
    const codes = this.labelCodes;
    for (let p = 0; p < n; p++) {
      if (codes) {
        const c = codes[p];
        rgb[3 * p] = this.palette[3 * c];
        rgb[3 * p + 1] = this.palette[3 * c + 1];
        rgb[3 * p + 2] = this.palette[3 * c + 2];
      } else {
        rgb[3 * p] = UNLABELLED[0];
        rgb[3 * p + 1] = UNLABELLED[1];
        rgb[3 * p + 2] = UNLABELLED[2];
      }
    }
    this.scene.setColors(rgb);
  }

  private uploadStates(): void {
    if (this.states.length !== this.count) this.states = new Uint8Array(this.count);
    this.states.fill(0);
    for (const index of this.selection) {
      if (index < this.states.length) this.states[index] |= STATE_SELECTED;
    }
    this.scene?.setStates(this.states);
  }
}

function sameIndices(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sessions = new Map<string, { session: TourSession; views: number }>();

/** The session for a widget model (keyed by its uid), shared by all its views. */
export function acquireSession(uid: string): TourSession {
  let entry = sessions.get(uid);
  if (!entry) {
    entry = { session: new TourSession(), views: 0 };
    sessions.set(uid, entry);
  }
  entry.views++;
  return entry.session;
}

export function releaseSession(uid: string): void {
  const entry = sessions.get(uid);
  if (!entry) return;
  if (--entry.views === 0) {
    entry.session.destroy();
    sessions.delete(uid);
  }
}
