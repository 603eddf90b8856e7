/**
 * Everything one tour shares across the views that display it: the data, the clock,
 * the orientation, the selection and the GPU scene. A Tour shown in two output cells
 * is one session: both views show the same frame, and the tour runs at one speed.
 */
import { TourClock } from '../core/clock';
import { basisAt, createOrientation, setBasisAt, type Orientation } from '../core/orientation';
import { multiplyInto } from '../core/frame';
import { largestVariance } from '../core/spread';
import { centroidOf } from '../core/steer';
import { guidedStep } from '../core/guided';
import { epochsOf, findLayer, layerKey, layersOfEpoch } from '../core/epochs';
import type { ImageSet } from '../render/atlas';
import { categoricalColors } from '../core/palette';
import { difference, movement } from '../core/movement';
import {
  attributeText,
  colorByAttribute,
  colorByDistance,
  colorByLabel,
  COLOR_BY_DIFFERENCE,
  COLOR_BY_LABEL,
  COLOR_BY_MOVEMENT,
  formatValue,
  type Attribute,
  type ColorKey,
  type Coloring,
} from './color-by';
import { acquireGl, releaseGl, type SharedGl } from '../render/gl';
import { PointScene } from '../render/scene';
import { STATE_HIDDEN, STATE_HIGHLIGHT, STATE_SELECTED } from '../render/shaders';
import { pageShared } from '../page-shared';
import { wake } from './frame-loop';
import { joinLinkGroup, leaveLinkGroup, linkCarries, type LinkedChange, type LinkGroup, type LinkOptions } from './link-groups';
import { alignmentRotation, comparePartnerIn, unrotateBasis } from './alignment';
import { GUIDED_RATE, GuidedBlend } from './guided-blend';

export interface LayerData {
  name: string;
  points: Float32Array;
  n: number;
  dims: number;
  /** The training epoch this layer belongs to; absent (or '') when the tour has no epochs. */
  epoch?: string;
}

export interface HandleData {
  name: string;
  indices: Uint32Array;
}

/** How long a layer switch takes. */
export const TRANSITION_MS = 700;

/** Depth cue scale relative to the fitted zoom. */
const DEPTH_SCALE = 1.2;
/** The key of the class colouring: the class legend itself. */
const LABEL_KEY: ColorKey = { kind: 'label' };

export class TourSession {
  private readonly ownClock = new TourClock(performance.now());
  private link: LinkGroup | null = null;
  /** Adapters listen here for changes that arrived through a link. */
  readonly linkedListeners = new Set<(change: LinkedChange) => void>();
  /**
   * d×d rotation applied before the shared basis (row-major): shown basis = Q·B. It aligns
   * this tour's points onto a partner's (compare view); null when not aligned.
   */
  private preRotation: Float64Array | null = null;

  get clock(): TourClock {
    return this.link?.clock ?? this.ownClock;
  }
  /** Every layer of every epoch, ordered epoch by epoch. */
  layers: LayerData[] = [];
  /** The layer shown: its name, and its epoch ('' when the tour has no epochs). */
  currentLayer = '';
  currentEpoch = '';
  /** Epoch names in order ([] without epochs). */
  epochs: string[] = [];
  /** Layer names marked in the layer strip from outside (a similarity map's hover). */
  markedLayers: readonly string[] = [];
  /**
   * Adapters listen here for layer switches asked from outside the tour's own views (a
   * similarity map), to tell their models; the views' own switches go through their events.
   */
  readonly layerListeners = new Set<(name: string) => void>();
  labelCodes: ArrayLike<number> | null = null;
  labelNames: string[] = [];
  palette: Uint8Array = new Uint8Array(0);
  selection: Uint32Array = new Uint32Array(0);
  seed = 0;
  handles: HandleData[] = [];
  /** Points lit up by hovering a handle or a legend entry (null: none). */
  highlight: Uint32Array | null = null;
  /** Label codes hidden from the view by the legend. */
  hiddenClasses = new Set<number>();
  images: ImageSet | null = null;
  showImages = false;
  imagesSelectedOnly = false;
  /** Per-point attributes to colour by, and the colouring chosen ("label", a name, …). */
  attributes: Attribute[] = [];
  colorBy = COLOR_BY_LABEL;
  /**
   * The per-point colours, and the values behind them (movement, difference) for tooltips;
   * null when what they depend on changed since they were made. Made when a frame or a
   * reader needs them, not at each change: loading data changes the layers, the labels and
   * the attributes one after another, and each full pass over 1M points took 40 ms.
   */
  private coloring: Coloring | null = null;
  /** The colours the scene holds (an earlier `coloring`, or null after a new scene). */
  private uploadedColoring: Coloring | null = null;
  /** What `coloring` was computed from; compared (not recomputed) on every frame. */
  private colorInputs: unknown[] = [];
  private colorProbe: unknown[] = [];
  /** The comparison partner whose layer switches recolour this tour ("difference"). */
  private watchedPartner: TourSession | null = null;
  private readonly onPartnerChange = (): void => {
    if (this.refreshColors()) this.changed();
  };
  /** The speed asked for; the clock runs slower while a view is zoomed in. */
  private userSpeed = 1;
  private zoomSlowdown = 1;
  /** The guided tour (class-separating) blended with the random one; see guide(). */
  private readonly guidance = new GuidedBlend();
  private guideSlowdown = 1;
  depth = false;
  private membersCache: Uint32Array[] | null = null;
  /** A layer switch under way: the layer left, and when the switch began (wall ms). */
  private transition: { from: string; start: number } | null = null;
  /** Progress of the switch at the frame being drawn (1: none under way). */
  private mix = 1;
  private fitCache = new Map<string, number>();
  /** Centroids per handle (keyed by its index array) and layer. */
  private centroidCache = new WeakMap<Uint32Array, Map<string, Float64Array>>();
  /** The wire value the layers were decoded from: views of one model decode it once. */
  dataSource: unknown = null;
  private orientation: Orientation | null = null;
  private readonly basisBuffer: { data: Float64Array } = { data: new Float64Array(0) };
  private rotatedBuffer = new Float64Array(0);
  private gl: SharedGl | null = null;
  private scene: PointScene | null = null;
  private states: Uint8Array = new Uint8Array(0);
  /** Views listen to redraw; the adapter does not, it owns the model. */
  readonly listeners = new Set<() => void>();
  /** Pointer holds (lassos in progress) that freeze the tour. */
  private holds = 0;
  private resumeAfterHold = false;

  get layer(): LayerData | undefined {
    return findLayer(this.layers, this.currentEpoch, this.currentLayer) ?? this.epochLayers[0] ?? this.layers[0];
  }

  /** The layers of the epoch shown (all of them without epochs), in order. */
  get epochLayers(): LayerData[] {
    return layersOfEpoch(this.layers, this.currentEpoch);
  }

  private layerByKey(key: string | undefined): LayerData | undefined {
    return key === undefined ? undefined : this.layers.find((l) => layerKey(l) === key);
  }

  get count(): number {
    return this.layers[0]?.n ?? 0;
  }

  /** The scene on the page's shared context; created by the first view that draws. */
  attachGl(): PointScene {
    if (!this.scene) {
      this.gl = acquireGl();
      this.gl.onRestore.add(this.restore);
      this.scene = new PointScene(this.gl);
      this.uploadAll();
    }
    return this.scene;
  }

  /** After a lost context comes back its buffers are empty: build the scene again. */
  private readonly restore = (): void => {
    if (!this.gl) return;
    // regl rebuilt the old objects at their old sizes; free them before making new ones.
    this.scene?.destroy();
    this.scene = new PointScene(this.gl);
    this.uploadAll();
    this.changed();
  };

  get sharedGl(): SharedGl | null {
    return this.gl;
  }

  setLayers(layers: LayerData[], current: string, epoch = ''): void {
    const n = layers[0]?.n ?? 0;
    if (layers.some((l) => l.n !== n)) throw new Error('[grandtour] layers differ in their number of points');
    const dimsBefore = this.layer?.dims;
    this.centroidCache = new WeakMap();
    this.fitCache.clear();
    this.layers = layers;
    this.epochs = epochsOf(layers);
    this.currentEpoch = this.epochs.includes(epoch) ? epoch : (this.epochs[0] ?? '');
    this.currentLayer = current;
    if (this.layer?.dims !== dimsBefore) this.orientation = null;
    if (this.states.length !== n) this.states = new Uint8Array(n);
    this.uploadAll();
    this.changed();
  }

  /**
   * Show another layer. Of the same dimension, the switch animates: both layers are drawn
   * under the same basis and mixed, so orientation is kept (the layers were aligned by
   * Procrustes in Python) and handles glide from centroid to centroid.
   */
  setCurrentLayer(name: string, epoch = this.currentEpoch): void {
    if ((name === this.currentLayer && epoch === this.currentEpoch) || !findLayer(this.layers, epoch, name)) return;
    const before = this.layer;
    this.currentLayer = name;
    this.currentEpoch = epoch;
    if (this.layer?.dims !== before?.dims) {
      this.orientation = null;
      this.transition = null;
    } else if (before) {
      this.transition = { from: layerKey(before), start: performance.now() };
      this.mix = 0;
    }
    this.refreshColors();
    this.changed();
  }

  /** Show the same layer in another epoch: animated like a layer switch, orientation kept. */
  setCurrentEpoch(epoch: string): void {
    this.setCurrentLayer(this.currentLayer, epoch);
  }

  /**
   * Switch layers for someone outside the tour's views (a similarity map): the adapters
   * hear it and tell their models, so the kernel learns the layer as from the strip.
   */
  requestLayer(name: string): void {
    if (!findLayer(this.layers, this.currentEpoch, name)) return;
    this.setCurrentLayer(name);
    for (const listener of this.layerListeners) listener(name);
  }

  /** Mark layers in the layer strip (a similarity map's hover); [] clears. */
  setMarkedLayers(names: readonly string[]): void {
    if (names.length === this.markedLayers.length && names.every((n, i) => n === this.markedLayers[i])) return;
    this.markedLayers = [...names];
    this.changed();
  }

  /** Move the layer switch to wall time `now`; views call this first in every frame. */
  advance(now: number): void {
    this.guide(now);
    if (!this.transition) {
      this.mix = 1;
      return;
    }
    const s = Math.min(1, Math.max(0, (now - this.transition.start) / TRANSITION_MS));
    this.mix = s * s * (3 - 2 * s);
    if (s >= 1) this.transition = null;
  }

  get transitioning(): boolean {
    return this.transition !== null;
  }

  get guided(): boolean {
    return this.guidance.on;
  }

  /** Guided tour on or off (the `guided` trait): its weight ramps in or out. */
  setGuided(on: boolean): void {
    if (!this.guidance.set(on, performance.now())) return;
    this.changed();
  }

  /** Depth cues from the third projected axis (the `depth` trait). */
  setDepth(on: boolean): void {
    if (on === this.depth) return;
    this.depth = on;
    this.changed();
  }

  /**
   * One guided step per frame: while the tour plays, the random rotation slows (never to a
   * stop) and the frame moves uphill on the class-separation index by an amount set by the
   * blend weight, the speed and the frame's duration, through setBasisAt as steering does.
   * Nothing is stored but the frame, so turning guidance off resumes the random tour from
   * the view it reached, without a jump.
   */
  private guide(now: number): void {
    const weight = this.guidance.weight(now);
    const slowdown = this.guidance.slowdown(weight);
    if (slowdown !== this.guideSlowdown) {
      this.guideSlowdown = slowdown;
      this.clock.setSpeed(this.userSpeed * this.zoomSlowdown * slowdown, now);
    }
    // Views of one session call this in the same tick: only the first one steps.
    const seconds = this.guidance.stepSeconds(now);
    if (weight <= 0 || seconds === null || this.holds > 0 || !this.clock.playing) return;
    const layer = this.layer;
    const codes = this.labelCodes;
    if (!layer || !codes) return;
    const scatter = this.guidance.scatterOf(layer, codes);
    if (!scatter || scatter.dims !== layer.dims) return;
    const shown = Float64Array.from(this.basis(now));
    if (shown.length !== layer.dims * 3) return;
    const next = guidedStep(scatter, shown, 3, weight * GUIDED_RATE * this.userSpeed * seconds);
    setBasisAt(this.ensureOrientation(), this.clock.time(now), this.unrotate(next, 3), 3);
  }

  setLabels(codes: ArrayLike<number> | null, names: string[]): void {
    this.guidance.forgetScatter();
    this.labelCodes = codes;
    this.labelNames = names;
    this.membersCache = null;
    this.palette = categoricalColors(names.length);
    this.refreshColors();
    this.changed();
  }

  setAttributes(attributes: Attribute[]): void {
    // None before and none now: the same colouring (the first model sync says so for most tours).
    if (attributes.length === 0 && this.attributes.length === 0) return;
    this.attributes = attributes;
    this.refreshColors();
    this.changed();
  }

  /** Colour the points by "label", an attribute's name, "movement" or "difference". */
  setColorBy(name: string): void {
    if (name === this.colorBy) return;
    this.colorBy = name;
    this.refreshColors();
    this.changed();
  }

  /** The colourings this tour offers now, in menu order. */
  colorOptions(): string[] {
    return [
      COLOR_BY_LABEL,
      ...this.attributes.map((a) => a.name),
      ...(this.epochLayers.length >= 2 ? [COLOR_BY_MOVEMENT] : []),
      ...(this.alignPartner || this.comparePartner ? [COLOR_BY_DIFFERENCE] : []),
    ];
  }

  /** Tooltip lines for a point: its attributes, and the value it is coloured by. */
  pointDetails(index: number, limit = 12): string[] {
    const lines = this.attributes.slice(0, limit).map((a) => `${a.name}: ${attributeText(a, index)}`);
    if (this.attributes.length > limit) lines.push(`… ${this.attributes.length - limit} more`);
    const values = this.ensureColoring().values;
    if (values && this.colorKey.kind === 'range' && index < values.length) {
      lines.push(`${this.colorKey.title}: ${formatValue(values[index])}`);
    }
    return lines;
  }

  /** What the colour key shows for the colouring in use. */
  get colorKey(): ColorKey {
    this.refreshColors();
    // Coloured by class, the key needs no colours: they are made when a frame needs them.
    if (!this.coloring && this.colorSource() === COLOR_BY_LABEL) return LABEL_KEY;
    return this.ensureColoring().key;
  }

  /**
   * Forget the colours if anything they depend on changed (the colouring, the data, the
   * layer shown, the partner's layer); true if it did. Cheap when nothing changed, so the
   * frame can ask every time; the colours are made again once per change (ensureColoring).
   */
  private refreshColors(): boolean {
    const by = this.colorBy;
    const distance = by === COLOR_BY_MOVEMENT || by === COLOR_BY_DIFFERENCE;
    const partner = by === COLOR_BY_DIFFERENCE ? this.comparePartner : null;
    this.watchPartner(partner);
    const probe = this.colorProbe;
    probe.length = 0;
    probe.push(by, this.count, this.attributes, this.labelCodes, this.palette, distance ? this.layer : null, distance ? this.layers : null, partner, partner?.layer);
    const inputs = this.colorInputs;
    if (probe.length === inputs.length && probe.every((v, i) => v === inputs[i])) return false;
    this.colorProbe = inputs;
    this.colorInputs = probe;
    this.coloring = null;
    return true;
  }

  private ensureColoring(): Coloring {
    this.refreshColors();
    this.coloring ??= this.computeColoring(this.colorBy === COLOR_BY_DIFFERENCE ? this.comparePartner : null);
    return this.coloring;
  }

  /** Which colouring applies: the one chosen, or the class when it cannot be drawn. */
  private colorSource(): string {
    const by = this.colorBy;
    if (by === COLOR_BY_MOVEMENT || by === COLOR_BY_DIFFERENCE) return this.layer ? by : COLOR_BY_LABEL;
    const attribute = this.attributes.find((a) => a.name === by);
    return attribute && attribute.values.length === this.count ? by : COLOR_BY_LABEL;
  }

  private computeColoring(partner: TourSession | null): Coloring {
    const n = this.count;
    const source = this.colorSource();
    const layer = this.layer;
    if (source === COLOR_BY_LABEL || !layer) return colorByLabel(this.labelCodes, this.palette, n);
    if (source === COLOR_BY_MOVEMENT) {
      const inEpoch = this.epochLayers;
      const previous = inEpoch[inEpoch.indexOf(layer) - 1];
      if (!previous) return colorByDistance(new Float32Array(n), 'movement', `${layer.name} is the first layer: nothing moved`);
      return colorByDistance(
        movement(previous.points, previous.dims, layer.points, layer.dims, n),
        'movement',
        `from ${previous.name} to ${layer.name}`,
      );
    }
    if (source === COLOR_BY_DIFFERENCE) {
      const theirs = partner?.layer;
      if (!theirs || theirs.n !== n) return colorByDistance(new Float32Array(n).fill(Number.NaN), 'difference', 'needs the compared view on the page');
      return colorByDistance(
        difference(layer.points, layer.dims, theirs.points, theirs.dims, n),
        'difference',
        `from the other model (${theirs.name}), after rotating onto it`,
      );
    }
    return colorByAttribute(this.attributes.find((a) => a.name === source) as Attribute, n);
  }

  /** Make the colours if they are out of date and give them to the scene; true if they changed. */
  private updateColors(): boolean {
    const changed = this.refreshColors();
    if (!this.scene) return changed;
    const coloring = this.ensureColoring();
    if (coloring !== this.uploadedColoring) {
      this.scene.setColors(coloring.rgb);
      this.uploadedColoring = coloring;
    }
    return changed;
  }

  private watchPartner(partner: TourSession | null): void {
    if (partner === this.watchedPartner) return;
    this.watchedPartner?.listeners.delete(this.onPartnerChange);
    this.watchedPartner = partner;
    partner?.listeners.add(this.onPartnerChange);
  }

  setHandles(handles: HandleData[]): void {
    this.handles = handles;
    this.changed();
  }

  /** A handle's centroid in the layer shown; during a switch, between the two layers'. */
  centroid(handle: HandleData): Float64Array {
    const to = this.centroidIn(handle, this.layer);
    const from = this.layerByKey(this.transition?.from);
    if (!from || from.dims !== to.length) return to;
    const start = this.centroidIn(handle, from);
    return to.map((v, i) => start[i] + (v - start[i]) * this.mix);
  }

  private centroidIn(handle: HandleData, layer: LayerData | undefined): Float64Array {
    if (!layer) return new Float64Array(2);
    let perLayer = this.centroidCache.get(handle.indices);
    if (!perLayer) {
      perLayer = new Map();
      this.centroidCache.set(handle.indices, perLayer);
    }
    let c = perLayer.get(layerKey(layer));
    if (!c) {
      c = centroidOf(layer.points, layer.dims, handle.indices);
      perLayer.set(layerKey(layer), c);
    }
    return c;
  }

  /**
   * The zoom at which this layer's cloud fills the view on most frames of its tour. View
   * units put the largest row norm at the edge, so nothing can ever leave the plot; but a
   * 2-D projection of a d-D cloud is typically far smaller than its largest norm, and at
   * zoom 1 the points would huddle in the middle. The tour visits the cloud's widest
   * direction, where the spread is √λ₁ (λ₁: the covariance's largest eigenvalue), so the
   * fit is 2.5·√λ₁ — a rotation-invariant figure, so that a rotated copy of the same data
   * (a comparison, an aligned layer) gets the same zoom.
   */
  fitZoom(): number {
    const to = this.fitZoomOf(this.layer);
    const from = this.layerByKey(this.transition?.from);
    return from ? this.fitZoomOf(from) + (to - this.fitZoomOf(from)) * this.mix : to;
  }

  private fitZoomOf(layer: LayerData | undefined): number {
    if (!layer) return 1;
    const cached = this.fitCache.get(layerKey(layer));
    if (cached !== undefined) return cached;
    const spread = Math.sqrt(largestVariance(layer.points, layer.n, layer.dims));
    const zoom = Math.max(1, Math.min(8, 0.95 / Math.max(2.5 * spread, 1e-9)));
    this.fitCache.set(layerKey(layer), zoom);
    return zoom;
  }

  /** Indices of the points of one class (cached per labelling). */
  classMembers(code: number): Uint32Array {
    if (!this.membersCache) {
      const codes = this.labelCodes;
      const counts = new Uint32Array(this.labelNames.length);
      if (codes) for (let p = 0; p < this.count; p++) counts[codes[p]]++;
      const members = Array.from(counts, (c) => new Uint32Array(c));
      const filled = new Uint32Array(this.labelNames.length);
      if (codes) for (let p = 0; p < this.count; p++) members[codes[p]][filled[codes[p]]++] = p;
      this.membersCache = members;
    }
    return this.membersCache[code] ?? new Uint32Array(0);
  }

  /** Drop indices of points whose class the legend hides. */
  withoutHidden(indices: Uint32Array): Uint32Array {
    const codes = this.labelCodes;
    if (!codes || this.hiddenClasses.size === 0) return indices;
    return indices.filter((p) => !this.hiddenClasses.has(codes[p]));
  }

  setHighlight(indices: Uint32Array | null): void {
    if (indices === this.highlight) return;
    this.highlight = indices;
    this.uploadStates();
    this.changed();
  }

  setHiddenClasses(codes: Iterable<number>): void {
    this.hiddenClasses = new Set(codes);
    this.uploadStates();
    this.changed();
  }

  setImages(images: ImageSet | null): void {
    this.images = images;
    this.scene?.setImages(images);
    this.changed();
  }

  setShowImages(show: boolean, selectedOnly: boolean): void {
    this.showImages = show;
    this.imagesSelectedOnly = selectedOnly;
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
    const dims = orientation.plan.dims;
    const size = dims * 3;
    if (this.basisBuffer.data.length !== size) this.basisBuffer.data = new Float64Array(size);
    const shared = basisAt(orientation, this.clock.time(now), this.basisBuffer.data);
    this.ensureAlignment();
    const q = this.alignEnabled ? this.preRotation : null;
    if (!q || q.length !== dims * dims) return shared;
    if (this.rotatedBuffer.length !== size) this.rotatedBuffer = new Float64Array(size);
    return multiplyInto(q, shared, dims, 3, this.rotatedBuffer);
  }

  /** Show exactly this d×3 basis now (a steering step); the tour continues from it. */
  setBasis(basis3: Float64Array): void {
    const orientation = this.ensureOrientation();
    setBasisAt(orientation, this.clock.time(performance.now()), this.unrotate(basis3, 3), 3);
    this.notifyGroup();
  }

  /** Show exactly this d×2 basis now; the tour continues from it. */
  setProjection(basis2: Float64Array): void {
    const orientation = this.ensureOrientation();
    if (basis2.length !== orientation.plan.dims * 2) return;
    setBasisAt(orientation, this.clock.time(performance.now()), this.unrotate(basis2, 2), 2);
    this.notifyGroup();
  }

  /** The partner's uid when this tour can be aligned onto another (compare view). */
  alignPartner: string | null = null;
  /** The widget model's uid this session belongs to ('' until acquired). */
  uid = '';

  /** The other tour of a comparison, either side; null when it is not on the page (yet). */
  get comparePartner(): TourSession | null {
    return comparePartnerIn(this, sessions);
  }
  alignEnabled = false;

  /**
   * Rotate this tour's points onto the partner's (see alignmentRotation). Computed lazily,
   * as the partner's data may arrive after ours.
   */
  setAlignment(partner: string | null, enabled: boolean): void {
    this.alignPartner = partner;
    this.alignEnabled = enabled;
    this.preRotation = null;
    this.refreshColors();
    this.changed();
    // The partner can now colour by difference too: let its views offer it.
    const theirs = partner ? findSession(partner) : undefined;
    if (theirs && theirs !== this) theirs.changed();
  }

  private ensureAlignment(): void {
    if (!this.alignEnabled || !this.alignPartner || this.preRotation) return;
    const mine = this.layer;
    const theirs = findSession(this.alignPartner)?.layer;
    if (!mine || !theirs) return;
    this.preRotation = alignmentRotation(mine, theirs);
  }

  /** Join (or, with null, leave) a link group. */
  setLink(id: string | null, options: LinkOptions = { selection: true, handles: false }): void {
    if (this.link?.id === id) {
      if (this.link) Object.assign(this.link, options);
      return;
    }
    this.leaveLink();
    if (!id) return;
    this.link = joinLinkGroup(id, this, options, this.ownClock, this.orientation);
    this.notifyGroup();
  }

  /** Tell the other members of the link group what the user did here. */
  shareWithLinked(change: LinkedChange): void {
    const group = this.link;
    if (!group || !linkCarries(group, change)) return;
    for (const member of group.members) {
      if (member === this) continue;
      if (change.kind === 'selection') member.setSelection(change.indices);
      else if (change.kind === 'handles') member.setHandles(change.handles);
      else member.changed();
      for (const listener of member.linkedListeners) listener(change);
    }
  }

  private leaveLink(): void {
    const group = this.link;
    if (!group) return;
    leaveLinkGroup(group, this);
    this.link = null;
  }

  /** The shared basis behind a shown one (see unrotateBasis). */
  private unrotate(basis: Float64Array, k: number): Float64Array {
    return unrotateBasis(this.alignEnabled ? this.preRotation : null, basis, k);
  }

  /** Redraw every tour that shares this one's orientation or clock. */
  private notifyGroup(): void {
    if (!this.link) {
      this.changed();
      return;
    }
    for (const member of this.link.members) member.changed();
  }

  setPlaying(playing: boolean): void {
    if (this.holds > 0) {
      this.resumeAfterHold = playing;
    } else {
      this.clock.setPlaying(playing, performance.now());
    }
    this.notifyGroup();
  }

  get playing(): boolean {
    return this.holds > 0 ? this.resumeAfterHold : this.clock.playing;
  }

  setSpeed(speed: number): void {
    this.userSpeed = speed;
    this.clock.setSpeed(speed * this.zoomSlowdown * this.guideSlowdown, performance.now());
    this.changed();
  }

  get speed(): number {
    return this.userSpeed;
  }

  /**
   * Zoomed in, the same rotation sweeps points across the screen faster: slow it down.
   * `zoom` is relative to the fitted zoom.
   */
  setZoom(zoom: number): void {
    const slowdown = zoom > 1 ? zoom ** -0.7 : 1;
    if (slowdown === this.zoomSlowdown) return;
    this.zoomSlowdown = slowdown;
    this.clock.setSpeed(this.userSpeed * slowdown * this.guideSlowdown, performance.now());
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

  draw(
    params: Omit<
      Parameters<PointScene['draw']>[0],
      'layer' | 'basis' | 'hasSelection' | 'hasHighlight' | 'showImages' | 'imagesSelectedOnly'
    >,
    now: number,
  ): void {
    const layer = this.layer;
    if (!layer || !this.scene) return;
    // Only a comparison of inputs unless something changed (a partner that mounted late).
    if (this.updateColors()) this.changed();
    this.scene.draw({
      ...params,
      layer: layerKey(layer),
      fromLayer: this.transition?.from,
      mix: this.mix,
      basis: this.basis(now),
      hasSelection: this.selection.length > 0,
      hasHighlight: this.highlight !== null,
      showImages: this.showImages,
      imagesSelectedOnly: this.imagesSelectedOnly,
      // About ±1 at two standard deviations along the cloud's widest axis.
      depth: this.depth ? DEPTH_SCALE * this.fitZoom() : 0,
    });
  }

  destroy(): void {
    this.watchPartner(null);
    this.leaveLink();
    this.linkedListeners.clear();
    this.scene?.destroy();
    this.scene = null;
    this.gl?.onRestore.delete(this.restore);
    if (this.gl) releaseGl(this.gl);
    this.gl = null;
    this.listeners.clear();
  }

  private ensureOrientation(): Orientation {
    const dims = this.layer?.dims ?? 2;
    const group = this.link;
    if (group) {
      let shared = group.orientations.get(dims);
      if (!shared) {
        shared = createOrientation(dims, this.seed);
        group.orientations.set(dims, shared);
      }
      this.orientation = shared;
      return shared;
    }
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
    for (const layer of this.layers) this.scene.setLayer(layerKey(layer), layer.points, layer.n, layer.dims);
    this.scene.setImages(this.images);
    // A new (or restored) scene has no colours: the next frame gives them.
    this.uploadedColoring = null;
    this.uploadStates();
  }

  private uploadStates(): void {
    if (this.states.length !== this.count) this.states = new Uint8Array(this.count);
    const states = this.states;
    states.fill(0);
    for (const index of this.selection) if (index < states.length) states[index] |= STATE_SELECTED;
    if (this.highlight) for (const index of this.highlight) if (index < states.length) states[index] |= STATE_HIGHLIGHT;
    const codes = this.labelCodes;
    if (codes && this.hiddenClasses.size > 0) {
      for (let p = 0; p < states.length; p++) if (this.hiddenClasses.has(codes[p])) states[p] |= STATE_HIDDEN;
    }
    this.scene?.setStates(states);
  }
}

function sameIndices(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sessions = pageShared('sessions', () => new Map<string, { session: TourSession; views: number }>());

/** The live session of a widget model, if any view shows it. */
export function findSession(uid: string): TourSession | undefined {
  return sessions.get(uid)?.session;
}

/** The session for a widget model (keyed by its uid), shared by all its views. */
export function acquireSession(uid: string): TourSession {
  let entry = sessions.get(uid);
  if (!entry) {
    entry = { session: new TourSession(), views: 0 };
    entry.session.uid = uid;
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
