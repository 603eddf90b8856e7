/**
 * One displayed tour: the DOM, pointer and keyboard handling, and drawing of its session's
 * scene. It never talks to the widget model; it reports what the user did through
 * TourViewEvents, once per gesture, and the adapter decides what to sync.
 */
import { projectVector } from '../core/steer';
import { createViewport, pixelToView, pixelsPerUnit, viewToClip, viewToPixel, type Viewport } from '../core/viewport';
import { expectFrameSize } from '../render/gl';
import { Presenter } from '../render/present';
import { stepName } from '../core/epochs';
import { element, ensureStyles, svgElement } from './dom';
import { addToLoop, removeFromLoop, wake, type Animated } from './frame-loop';
import { FpsReadout } from './fps';
import { PointerGestures } from './gestures';
import { HandlesLayer } from './handles-layer';
import { pickNearest } from './hover-pick';
import { Legend } from './legend';
import { movingSample, sampleBadgeText } from './level-of-detail';
import { COLOR_BY_LABEL } from './color-by';
import { ColorKeyView } from './color-key';
import { onTourKey } from './keys';
import { createHelp, Tooltip } from './overlays';
import type { HandleData, TourSession } from './session';

export interface TourViewEvents {
  /** A brush ended (or was cleared): the new selection and the basis it was computed with. */
  select(indices: Uint32Array, projection: number[][]): void;
  /** Play/pause from the view, with the basis shown at that moment. */
  playing(playing: boolean, projection: number[][]): void;
  speed(speed: number): void;
  /** A steering drag ended: the view it left. */
  steer(projection: number[][]): void;
  /** Handles were created, renamed or deleted in the view. */
  handles(handles: HandleData[]): void;
  /** Classes hidden with the legend (by code). */
  hidden(codes: number[]): void;
  showImages(show: boolean): void;
  /** The layer strip (or j/k) switched layers. */
  layer(name: string): void;
  /** The epoch slider (on release) or [ / ] switched epochs. */
  epoch(name: string): void;
  /** The compare view's align toggle. */
  align(enabled: boolean): void;
  /** The colour-by menu: "label", an attribute's name, "movement" or "difference". */
  colorBy(name: string): void;
  /** The guided-tour toggle (button or g). */
  guided(on: boolean): void;
  /** The depth-cue toggle (button or z). */
  depth(on: boolean): void;
  /** The frame-rate readout toggle (button or f). */
  showFps(on: boolean): void;
}

const MIN_ZOOM = 0.2;
const MAX_ZOOM = 200;
/**
 * Hover picking projects every candidate point on the CPU. Up to this many coordinates
 * (n·d) it runs on every frame while the view moves; above it, over every point, it waits
 * until the pointer has rested HOVER_REST_MS (40 ms of JS at 1M × 15 would otherwise run
 * on each pointer move). A level-of-detail frame picks among its sample, at once.
 */
const LIVE_PICK_LIMIT = 1_000_000;
const HOVER_REST_MS = 120;
/**
 * A pick among the drawn sample still costs a few ms (9 ms among 16k sampled points of
 * 1M × 15: scattered rows): at most one per this many ms. A small cloud's pick costs well
 * under a millisecond and follows the pointer at once, so its tooltip never lags.
 */
const PICK_INTERVAL_MS = 100;
/** A new centre of rotation eases in over this long. */
const CENTRE_EASE_MS = 300;

export class TourView implements Animated {
  readonly root: HTMLDivElement;
  private readonly plot: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  /** Hands each frame from the shared context to this view's canvas. */
  private readonly presenter: Presenter;
  private readonly playButton: HTMLButtonElement;
  private readonly speedInput: HTMLInputElement;
  private readonly handleButton: HTMLButtonElement;
  private readonly panButton: HTMLButtonElement;
  private readonly imagesButton: HTMLButtonElement;
  private readonly alignButton: HTMLButtonElement;
  private readonly guidedButton: HTMLButtonElement;
  private readonly depthButton: HTMLButtonElement;
  private readonly fpsButton: HTMLButtonElement;
  private readonly fps: FpsReadout;
  private readonly centreBadge: HTMLDivElement;
  /** Rotate about a handle (keys 1–9, 0 resets): its index, or null for the origin. */
  private centreHandle: number | null = null;
  /** A change of centre eases from where the old one was drawn (view units) since `start`. */
  private centreEase: { x: number; y: number; start: number } | null = null;
  /** The centre held still for a steering drag: it eases to the handle again afterwards. */
  private centreHeld = false;
  private readonly countText: HTMLSpanElement;
  private readonly legendBox: HTMLDivElement;
  private readonly colorSelect: HTMLSelectElement;
  private readonly colorKey: ColorKeyView;
  /** The class legend's own box, under the colour key in the legend column. */
  private readonly classBox: HTMLDivElement;
  /** The colour-by options the menu holds, joined (rebuilt only when they change). */
  private colorOptionsShown = '';
  private readonly layerStrip: HTMLDivElement;
  private readonly epochBar: HTMLDivElement;
  private readonly epochInput: HTMLInputElement;
  private readonly epochName: HTMLSpanElement;
  private readonly legend: Legend;
  private readonly handlesLayer: HandlesLayer;
  private readonly tooltip: Tooltip;
  private readonly help: HTMLDivElement;
  private readonly errorBox: HTMLDivElement;
  private readonly lodBadge: HTMLDivElement;
  /**
   * Measured cost of drawing one point (ms, moving average), to size the moving sample. It
   * is read off the interval between consecutive moving frames: the GPU (software or not)
   * works apart from the main thread, and the browser paces frames to what it can finish.
   */
  private msPerPoint = 0;
  /** When the last moving frame was drawn, and how many points it drew (null: still). */
  private lastMoving: { at: number; drawn: number } | null = null;
  private lodSample: number | undefined = undefined;
  /** Draw a sample while moving when full frames are too slow (the level_of_detail trait). */
  levelOfDetail = true;
  private readonly viewport: Viewport = createViewport(1, 1);
  private readonly resizeObserver: ResizeObserver;
  private readonly intersectionObserver: IntersectionObserver | null;
  private readonly abort = new AbortController();
  private readonly onSessionChange = (): void => this.invalidate();
  private readonly gestures: PointerGestures;
  /** The next lasso makes a handle instead of a selection. */
  private handleMode = false;
  private panMode = false;
  /** Until the user zooms or pans, the view follows the fitted zoom of the layer shown. */
  private userMoved = false;
  private hover: [number, number] | null = null;
  private hoverMoved = false;
  /** When the pointer last moved (performance.now()), and the timer that picks once it rests. */
  private hoverAt = 0;
  private lastPick = 0;
  private hoverTimer: ReturnType<typeof setTimeout> | null = null;
  private visible = true;
  private dirty = true;
  private failed = false;
  private frames = 0;
  /** When data-frames was last written, and whether data-status says 'ready'. */
  private framesShownAt = -Infinity;
  private shownReady = false;
  /**
   * Whether the canvas has been sized to the plot. The first frame may come before the
   * ResizeObserver's first report; drawing it at a stale size and resizing the shared
   * canvas afterwards made the next frame wait for the GPU (1.8–2.7 s at 1M points).
   */
  private sized = false;

  constructor(
    host: HTMLElement,
    private readonly session: TourSession,
    private readonly events: TourViewEvents,
  ) {
    const doc = host.ownerDocument;
    ensureStyles(doc);
    this.root = element(doc, 'div', 'grandtour');
    this.root.tabIndex = 0;
    this.root.setAttribute('role', 'application');
    this.root.setAttribute('aria-label', 'Grand Tour view: drag to lasso, space to play or pause, ? for keys');
    this.setStatus('loading');
    this.root.dataset.frames = '0';
    // View units → CSS px: s = 0.47 · min(w, h) · zoom, centred (plus pan); tests read this.
    this.root.dataset.zoom = '1';

    this.plot = element(doc, 'div', 'grandtour-plot');
    this.canvas = element(doc, 'canvas', 'grandtour-canvas');
    this.presenter = new Presenter(this.canvas);
    const overlay = svgElement(doc, 'svg', 'grandtour-overlay');
    const lassoPath = svgElement(doc, 'path', 'grandtour-lasso');
    overlay.appendChild(lassoPath);
    this.gestures = new PointerGestures(this.plot, lassoPath, this.viewport, session, {
      failed: () => this.failed,
      handleMode: () => this.handleMode,
      panMode: () => this.panMode,
      focus: () => this.root.focus({ preventScroll: true }),
      hideTooltip: () => this.tooltip.hide(),
      hover: (point) => this.hoverOver(point),
      zoomAt: (px, py, zoom) => this.zoomAt(px, py, zoom),
      pan: (panX, panY) => this.panTo(panX, panY),
      projection: () => this.currentProjection(),
      clicked: (makeHandle) => {
        if (!makeHandle) this.clearSelection();
      },
      lassoed: (indices, projection, makeHandle) => this.lassoed(indices, projection, makeHandle),
      steered: (projection) => this.events.steer(projection),
    });

    const toolbar = element(doc, 'div', 'grandtour-toolbar');
    this.playButton = this.button(doc, 'grandtour-play', '', '');
    this.speedInput = element(doc, 'input', 'grandtour-speed');
    this.speedInput.type = 'range';
    this.speedInput.min = '0';
    this.speedInput.max = '4';
    this.speedInput.step = '0.05';
    this.speedInput.title = 'Speed';
    this.speedInput.setAttribute('aria-label', 'Tour speed');
    this.handleButton = this.button(doc, 'grandtour-handle-mode', '◎+', 'Next lasso makes a handle (d)');
    this.panButton = this.button(doc, 'grandtour-pan-mode', '✥', 'Drag to pan (or Ctrl-drag)');
    const resetButton = this.button(doc, 'grandtour-reset', '⟲', 'Reset zoom and pan (r)');
    this.imagesButton = this.button(doc, 'grandtour-images', '▦', 'Dots or thumbnails (i)');
    this.alignButton = this.button(doc, 'grandtour-align', '⇄ align', 'Rotate this view onto its partner (Procrustes)');
    const pictureButton = this.button(doc, 'grandtour-picture', '⤓', 'Save the view as a PNG');
    this.colorSelect = element(doc, 'select', 'grandtour-color-by');
    this.colorSelect.title = 'Colour the points by';
    this.colorSelect.setAttribute('aria-label', 'Colour the points by');
    const helpButton = this.button(doc, 'grandtour-help-button', '?', 'Keyboard shortcuts (?)');
    this.countText = element(doc, 'span', 'grandtour-count');
    toolbar.append(
      this.playButton,
      this.speedInput,
      this.handleButton,
      this.panButton,
      resetButton,
      this.imagesButton,
      this.alignButton,
      this.colorSelect,
      pictureButton,
      helpButton,
      this.countText,
    );

    this.legendBox = element(doc, 'div', 'grandtour-legend');
    this.colorKey = new ColorKeyView(doc);
    this.classBox = element(doc, 'div', 'grandtour-legend-classes');
    this.legendBox.append(this.colorKey.box, this.colorKey.legendNote, this.classBox);
    this.errorBox = element(doc, 'div', 'grandtour-error');
    this.errorBox.setAttribute('role', 'alert');
    this.plot.append(this.canvas, overlay);
    this.handlesLayer = new HandlesLayer(this.plot, {
      hover: (index) => this.session.setHighlight(index === null ? null : (this.session.handles[index]?.indices ?? null)),
      grab: (index, event) => this.gestures.grabHandle(index, event),
      rename: (index, name) => this.renameHandle(index, name),
      remove: (index) => this.removeHandle(index),
    });
    this.tooltip = new Tooltip(this.plot);
    this.layerStrip = element(doc, 'div', 'grandtour-layers');
    this.layerStrip.setAttribute('role', 'toolbar');
    this.layerStrip.setAttribute('aria-label', 'Layers (j / k)');
    // Epochs: a slider over the epochs and the name of the one shown, above the layer strip.
    this.epochBar = element(doc, 'div', 'grandtour-epochs');
    this.epochInput = element(doc, 'input', 'grandtour-epoch-slider');
    this.epochInput.type = 'range';
    this.epochInput.min = '0';
    this.epochInput.step = '1';
    this.epochInput.setAttribute('aria-label', 'Training epoch ([ / ])');
    this.epochInput.title = 'Training epoch ([ / ])';
    this.epochName = element(doc, 'span', 'grandtour-epoch-name');
    this.epochBar.append(element(doc, 'span', 'grandtour-epoch-label', 'epoch'), this.epochInput, this.epochName);
    this.epochBar.style.display = 'none';
    const bottom = element(doc, 'div', 'grandtour-bottom');
    bottom.append(this.epochBar, this.layerStrip);
    this.plot.append(toolbar, bottom);
    this.help = createHelp(this.plot);
    this.lodBadge = element(doc, 'div', 'grandtour-lod');
    this.lodBadge.style.display = 'none';
    this.plot.appendChild(this.lodBadge);
    this.root.append(this.plot, this.legendBox, this.errorBox);
    this.legend = new Legend(this.classBox, {
      hover: (code) => this.session.setHighlight(code === null ? null : this.session.classMembers(code)),
      toggle: (code) => this.toggleClass(code),
      toggleHandle: (code) => this.toggleClassHandle(code),
    });
    host.appendChild(this.root);

    this.listen(resetButton, helpButton);
    pictureButton.addEventListener('click', () => this.savePicture(), { signal: this.abort.signal });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.plot);
    this.intersectionObserver =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver((entries) => {
            this.visible = entries.some((e) => e.isIntersecting);
            if (this.visible) wake();
          });
    this.intersectionObserver?.observe(this.root);
    // Guided tour, depth cues and the frame-rate readout; the readout and the name of the
    // handle the tour turns about sit in the top-right corner, under the level-of-detail badge.
    this.guidedButton = this.button(doc, 'grandtour-guided', '✦', 'Guided tour: pull toward views that separate the classes (g)');
    this.depthButton = this.button(doc, 'grandtour-depth', '◐', 'Depth cues: size and fade from the third axis (z)');
    this.fpsButton = this.button(doc, 'grandtour-fps-button', 'fps', 'Frame-rate readout (f)');
    helpButton.before(this.guidedButton, this.depthButton, this.fpsButton);
    const corner = element(doc, 'div', 'grandtour-corner');
    this.plot.appendChild(corner);
    this.fps = new FpsReadout(corner);
    this.centreBadge = element(doc, 'div', 'grandtour-centre');
    this.centreBadge.style.display = 'none';
    corner.appendChild(this.centreBadge);
    const signal = this.abort.signal;
    this.guidedButton.addEventListener('click', () => this.toggleGuided(), { signal });
    this.depthButton.addEventListener('click', () => this.toggleDepth(), { signal });
    this.fpsButton.addEventListener('click', () => this.toggleFps(), { signal });
    session.listeners.add(this.onSessionChange);
    this.refreshControls();
    addToLoop(this);
  }

  /** Show or hide the frame-rate readout (the show_fps trait). */
  setShowFps(on: boolean): void {
    this.fps.setVisible(on);
    this.refreshControls();
  }

  private toggleGuided(): void {
    const on = !this.session.guided;
    this.session.setGuided(on);
    this.events.guided(on);
  }

  private toggleDepth(): void {
    const on = !this.session.depth;
    this.session.setDepth(on);
    this.events.depth(on);
  }

  private toggleFps(): void {
    const on = !this.fps.visible;
    this.setShowFps(on);
    this.events.showFps(on);
  }

  /** Turn about handle `index` (null: about the origin again), easing from the old centre. */
  private setCentre(index: number | null): void {
    if (index !== null && !this.session.handles[index]) return;
    if (index === this.centreHandle) return;
    this.centreEase = { x: this.viewport.centreX, y: this.viewport.centreY, start: performance.now() };
    this.centreHandle = index;
    this.refreshControls();
    this.invalidate();
  }

  /**
   * Keep the centre handle's projected centroid at the middle of the view: it becomes the
   * viewport's centre, so the shader, lasso, handles and hover all see the same shift. It
   * holds still while a handle is dragged (the drag aims at fixed pixels). True while a
   * change of centre is still easing in.
   */
  private updateCentre(now: number): boolean {
    const vp = this.viewport;
    if (this.gestures.kind === 'steer') {
      this.centreHeld = true;
      return false;
    }
    if (this.centreHeld) {
      this.centreHeld = false;
      this.centreEase = { x: vp.centreX, y: vp.centreY, start: now };
    }
    const handle = this.centreHandle === null ? undefined : this.session.handles[this.centreHandle];
    if (this.centreHandle !== null && !handle) {
      this.centreHandle = null;
      this.refreshControls();
    }
    let [x, y] = handle ? projectVector(this.session.centroid(handle), this.session.basis(now), 3) : [0, 0];
    const ease = this.centreEase;
    if (ease) {
      const t = Math.min(1, Math.max(0, (now - ease.start) / CENTRE_EASE_MS));
      const e = t * t * (3 - 2 * t);
      x = ease.x + (x - ease.x) * e;
      y = ease.y + (y - ease.y) * e;
      if (t >= 1) this.centreEase = null;
    }
    vp.centreX = x;
    vp.centreY = y;
    return this.centreEase !== null;
  }

  setHeight(height: number): void {
    this.root.style.height = `${height}px`;
    this.resize();
  }

  /** Rebuild what depends on labels and layers (legend, layer strip). */
  refreshLegend(): void {
    this.legend.render(this.session.labelNames, this.session.palette);
    const doc = this.root.ownerDocument;
    const layers = this.session.epochLayers;
    this.layerStrip.replaceChildren(
      ...(layers.length > 1
        ? layers.map((layer) => {
            const b = this.button(doc, 'grandtour-layer', layer.name, `Layer ${layer.name} (${layer.dims}-D)`);
            b.dataset.layer = layer.name;
            b.addEventListener('click', () => this.showLayer(layer.name), { signal: this.abort.signal });
            return b;
          })
        : []),
    );
    this.refreshControls();
  }

  private showLayer(name: string): void {
    if (name === this.session.currentLayer) return;
    this.session.setCurrentLayer(name);
    this.events.layer(name);
  }

  /** Show another epoch now (slider input, keys); `report` tells the model too. */
  private showEpoch(name: string | undefined, report: boolean): void {
    if (name === undefined || name === this.session.currentEpoch) return;
    this.session.setCurrentEpoch(name);
    if (report) this.events.epoch(name);
  }

  private stepEpoch(step: number): void {
    this.showEpoch(stepName(this.session.epochs, this.session.currentEpoch, step), true);
  }

  private stepLayer(step: number): void {
    const layers = this.session.epochLayers;
    if (layers.length < 2) return;
    const at = layers.findIndex((l) => l.name === this.session.currentLayer);
    this.showLayer(layers[(at + step + layers.length) % layers.length].name);
  }

  /** Replace the view with a readable error; the widget area says what went wrong. */
  showError(message: string): void {
    this.failed = true;
    this.setStatus('error');
    this.errorBox.textContent = message;
    console.error(message);
  }

  clearError(): void {
    if (!this.failed) return;
    this.failed = false;
    this.setStatus(this.frames > 0 ? 'ready' : 'loading');
    this.errorBox.textContent = '';
    this.invalidate();
  }

  invalidate(): void {
    if (!this.userMoved && this.session.layer) {
      const fit = this.session.fitZoom();
      if (fit !== this.viewport.zoom) {
        this.viewport.zoom = fit;
        this.root.dataset.zoom = String(fit);
      }
    }
    this.dirty = true;
    this.refreshControls();
    wake();
  }

  frame(now: number): boolean {
    this.session.advance(now);
    const animating = (this.session.playing && this.session.clock.playing) || this.session.transitioning;
    if (this.failed) return false;
    if (!this.visible) return animating && this.visible;
    if (!this.dirty && !animating) {
      // A pointer move alone asks only for the tooltip, not for a new picture.
      if (this.hoverMoved) this.updateTooltip(now, animating);
      return false;
    }
    this.dirty = false;
    if (!this.userMoved) this.viewport.zoom = this.session.fitZoom();
    let easing = false;
    try {
      const started = performance.now();
      easing = this.updateCentre(now);
      this.draw(now);
      this.placeHandles(now);
      this.updateTooltip(now, animating);
      this.fps.frame(performance.now() - started);
    } catch (error) {
      this.showError(error instanceof Error ? error.message : `[grandtour] ${String(error)}`);
      return false;
    }
    if (easing) this.dirty = true;
    this.showFrameCount(now, animating || easing);
    return animating || easing;
  }

  /** data-status, remembered so the frame need not read the DOM to know it says 'ready'. */
  private setStatus(status: 'loading' | 'ready' | 'error' | 'lost'): void {
    this.shownReady = status === 'ready';
    this.root.dataset.status = status;
  }

  /**
   * data-frames (what tests and tools wait on) follows the count at most every 100 ms while
   * the view moves, and exactly once it stops: an attribute write cost 35 µs, a tenth of a
   * frame's JS.
   */
  private showFrameCount(now: number, moving: boolean): void {
    if (moving && this.frames > 3 && now - this.framesShownAt < 100) return;
    this.framesShownAt = now;
    this.root.setAttribute('data-frames', String(this.frames));
  }

  destroy(): void {
    removeFromLoop(this);
    if (this.hoverTimer !== null) clearTimeout(this.hoverTimer);
    this.abort.abort();
    this.resizeObserver.disconnect();
    this.intersectionObserver?.disconnect();
    this.session.listeners.delete(this.onSessionChange);
    this.gestures.end();
    this.handlesLayer.destroy();
    this.legend.destroy();
    this.fps.destroy();
    this.root.remove();
  }

  // -- drawing ------------------------------------------------------------------------

  private draw(now: number): void {
    const session = this.session;
    if (!session.layer) return;
    // The first frame measures the plot as laid out now: a size taken at mount time (by
    // setHeight) can predate the legend, and the resize that followed cost a GPU wait.
    if (!this.sized || this.frames === 0) this.measureCanvas();
    expectFrameSize(this.canvas.width, this.canvas.height);
    session.attachGl();
    const gl = session.sharedGl;
    if (!gl) return;
    if (gl.lost) {
      // Keep the last picture; the restore handler asks for a frame when drawing can resume.
      this.setStatus('lost');
      return;
    }
    const dpr = this.canvas.width / Math.max(this.viewport.width, 1);
    const width = this.canvas.width;
    const height = this.canvas.height;
    const sample = this.movingSample();
    this.presenter.present(gl, width, height, () => {
      session.draw(
        {
          viewToClip: viewToClip(this.viewport),
          width,
          height,
          pointSize: this.pointSize() * dpr,
          imageSize: this.imageSize() * dpr,
          sample,
        },
        now,
      );
    });
    const drawn = sample ?? session.count;
    if (this.lastMoving && this.lastMoving.drawn > 0) {
      const cost = (now - this.lastMoving.at) / this.lastMoving.drawn;
      // Heavily smoothed: single intervals come in whole display frames (16.7 ms steps).
      this.msPerPoint = this.msPerPoint === 0 ? cost : 0.8 * this.msPerPoint + 0.2 * cost;
    }
    // Not across a held lasso: the pause is not the cost of a frame.
    this.lastMoving = this.isMoving() && this.gestures.kind !== 'lasso' ? { at: now, drawn } : null;
    // Touch the DOM only when the sample changes: this runs every frame.
    if (sample !== this.lodSample) {
      this.lodSample = sample;
      this.lodBadge.style.display = sample === undefined ? 'none' : '';
      this.lodBadge.textContent = sample === undefined ? '' : sampleBadgeText(sample, session.count);
    }
    this.frames++;
    if (!this.shownReady) this.setStatus('ready');
  }

  private placeHandles(now: number): void {
    const handles = this.session.handles;
    if (handles.length === 0) return;
    const basis = this.session.basis(now);
    const { width, height } = this.viewport;
    handles.forEach((handle, i) => {
      const [x, y] = projectVector(this.session.centroid(handle), basis, 3);
      const [px, py] = viewToPixel(this.viewport, x, y);
      this.handlesLayer.place(i, px, py, px > -20 && py > -20 && px < width + 20 && py < height + 20);
    });
  }

  /** How many points to draw this frame if it is a moving one and full frames are too slow. */
  private movingSample(): number | undefined {
    const n = this.session.count;
    if (!this.levelOfDetail || !this.isMoving() || this.session.showImages) return undefined;
    return movingSample(n, this.msPerPoint, this.lodSample);
  }

  private isMoving(): boolean {
    const kind = this.gestures.kind;
    return (
      (this.session.playing && this.session.clock.playing) ||
      // A lasso (or a click) holds a playing tour for a moment: it stays a moving view, as
      // a full frame for that moment kept input waiting for the GPU (1.3 s at 1M).
      (kind === 'lasso' && this.session.playing) ||
      this.session.transitioning ||
      kind === 'steer' ||
      kind === 'pan' ||
      kind === 'pinch'
    );
  }

  /** CSS pixels: large for a few points, down to 1.5 px for millions. */
  private pointSize(): number {
    const n = Math.max(this.session.count, 1);
    const side = Math.min(this.viewport.width, this.viewport.height);
    const size = (0.4 * side) / Math.sqrt(n);
    return Math.max(1.5, Math.min(8, size)) * Math.sqrt(this.viewport.zoom / this.session.fitZoom());
  }

  private imageSize(): number {
    const side = Math.min(this.viewport.width, this.viewport.height);
    return Math.max(12, Math.min(48, side / 14)) * Math.sqrt(this.viewport.zoom / this.session.fitZoom());
  }

  private resize(): void {
    this.measureCanvas();
    this.invalidate();
  }

  /** Size the canvas to the plot (device pixels). */
  private measureCanvas(): void {
    this.sized = true;
    const rect = this.plot.getBoundingClientRect();
    const dpr = this.root.ownerDocument.defaultView?.devicePixelRatio ?? 1;
    this.viewport.width = Math.max(1, rect.width);
    this.viewport.height = Math.max(1, rect.height);
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
  }

  private refreshControls(): void {
    const session = this.session;
    const playing = session.playing;
    this.playButton.textContent = playing ? '❚❚' : '▶';
    this.playButton.title = playing ? 'Pause (space)' : 'Play (space)';
    this.playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    this.playButton.setAttribute('aria-pressed', String(playing));
    if (this.root.ownerDocument.activeElement !== this.speedInput) this.speedInput.value = String(session.speed);
    this.handleButton.setAttribute('aria-pressed', String(this.handleMode));
    this.panButton.setAttribute('aria-pressed', String(this.panMode));
    this.imagesButton.style.display = session.images ? '' : 'none';
    this.alignButton.style.display = session.alignPartner ? '' : 'none';
    this.alignButton.setAttribute('aria-pressed', String(session.alignEnabled));
    this.refreshColorControls();
    this.guidedButton.style.display = session.labelNames.length > 1 ? '' : 'none';
    this.guidedButton.setAttribute('aria-pressed', String(session.guided));
    this.depthButton.setAttribute('aria-pressed', String(session.depth));
    this.fpsButton.setAttribute('aria-pressed', String(this.fps.visible));
    for (const b of this.layerStrip.children) {
      const name = (b as HTMLElement).dataset.layer ?? '';
      (b as HTMLElement).setAttribute('aria-pressed', String(name === session.currentLayer));
      const marked = session.markedLayers.includes(name);
      b.classList.toggle('grandtour-marked', marked);
      if (marked) (b as HTMLElement).dataset.marked = 'true';
      else delete (b as HTMLElement).dataset.marked;
    }
    const epochs = session.epochs;
    this.epochBar.style.display = epochs.length >= 2 ? '' : 'none';
    if (epochs.length >= 2) {
      this.epochInput.max = String(epochs.length - 1);
      const at = Math.max(0, epochs.indexOf(session.currentEpoch));
      if (this.epochInput.value !== String(at)) this.epochInput.value = String(at);
      if (this.epochName.textContent !== session.currentEpoch) this.epochName.textContent = session.currentEpoch;
      this.epochBar.dataset.epoch = session.currentEpoch;
    }
    this.imagesButton.setAttribute('aria-pressed', String(session.showImages));
    this.plot.classList.toggle('grandtour-panning', this.panMode);
    const n = session.count;
    const selected = session.selection.length;
    this.countText.textContent =
      `${n.toLocaleString('en-US')} points` + (selected ? ` · ${selected.toLocaleString('en-US')} selected` : '');
    this.handlesLayer.sync(session.handles);
    const names = new Set(session.handles.map((h) => h.name));
    const withHandle = new Set<number>();
    session.labelNames.forEach((name, code) => names.has(name) && withHandle.add(code));
    this.legend.mark(session.hiddenClasses, withHandle);
    this.refreshCentre();
  }

  /** Say which handle the tour turns about: a badge in the corner and a mark on its ring. */
  private refreshCentre(): void {
    const handle = this.centreHandle === null ? undefined : this.session.handles[this.centreHandle];
    this.centreBadge.style.display = handle ? '' : 'none';
    this.centreBadge.textContent = handle ? `⊙ turning about ${this.centreHandle! + 1}: ${handle.name} (0 resets)` : '';
    this.root.dataset.centre = handle ? String(this.centreHandle! + 1) : '';
    this.session.handles.forEach((_, i) => this.handlesLayer.ringOf(i)?.classList.toggle('grandtour-centred', i === this.centreHandle));
  }

  /** The colour-by menu (shown when there is a choice), the colour key, the legend's note. */
  private refreshColorControls(): void {
    const session = this.session;
    const options = session.colorOptions();
    const joined = options.join('\u0000');
    if (joined !== this.colorOptionsShown) {
      this.colorOptionsShown = joined;
      const doc = this.root.ownerDocument;
      this.colorSelect.replaceChildren(
        ...options.map((name) => {
          const option = element(doc, 'option', '', name === COLOR_BY_LABEL ? 'class' : name);
          option.value = name;
          return option;
        }),
      );
    }
    this.colorSelect.style.display = options.length > 1 ? '' : 'none';
    if (this.colorSelect.value !== session.colorBy && options.includes(session.colorBy)) this.colorSelect.value = session.colorBy;
    this.colorKey.render(session.colorKey, this.classBox);
    // With a choice of colourings the column keeps one width, so a switch never resizes the plot.
    this.legendBox.classList.toggle('grandtour-legend-keyed', options.length > 1);
    this.legendBox.style.display = session.labelNames.length === 0 && options.length <= 1 ? 'none' : '';
  }

  private chooseColorBy(name: string): void {
    if (name === this.session.colorBy) return;
    this.session.setColorBy(name);
    this.events.colorBy(name);
  }

  /** The d×2 basis on screen now, as Python's projection trait holds it. */
  currentProjection(): number[][] {
    const basis = this.session.basis(performance.now());
    const dims = basis.length / 3;
    const rows: number[][] = [];
    for (let i = 0; i < dims; i++) rows.push([basis[i * 3], basis[i * 3 + 1]]);
    return rows;
  }

  // -- actions ------------------------------------------------------------------------

  private togglePlaying(): void {
    const playing = !this.session.playing;
    this.session.setPlaying(playing);
    this.events.playing(playing, this.currentProjection());
  }

  private clearSelection(): void {
    if (this.session.selection.length === 0) return;
    const empty = new Uint32Array(0);
    this.session.setSelection(empty);
    this.events.select(empty, this.currentProjection());
  }

  private toggleClass(code: number): void {
    const hidden = new Set(this.session.hiddenClasses);
    if (hidden.has(code)) hidden.delete(code);
    else hidden.add(code);
    this.session.setHiddenClasses(hidden);
    this.events.hidden([...hidden].sort((a, b) => a - b));
  }

  private toggleClassHandle(code: number): void {
    const name = this.session.labelNames[code];
    const handles = this.session.handles;
    const existing = handles.findIndex((h) => h.name === name);
    const next =
      existing >= 0
        ? handles.filter((_, i) => i !== existing)
        : [...handles, { name, indices: this.session.classMembers(code) }];
    this.session.setHandles(next);
    this.events.handles(next);
  }

  private addHandle(indices: Uint32Array): void {
    const names = new Set(this.session.handles.map((h) => h.name));
    let k = 1;
    while (names.has(String(k))) k++;
    const next = [...this.session.handles, { name: String(k), indices }];
    this.session.setHandles(next);
    this.events.handles(next);
  }

  private renameHandle(index: number, name: string): void {
    const handles = this.session.handles;
    if (!handles[index] || handles[index].name === name) return;
    // Names are keys in Python: keep them unique.
    const taken = new Set(handles.filter((_, i) => i !== index).map((h) => h.name));
    let unique = name;
    for (let k = 2; taken.has(unique); k++) unique = `${name} (${k})`;
    const next = handles.map((h, i) => (i === index ? { ...h, name: unique } : h));
    this.session.setHandles(next);
    this.events.handles(next);
  }

  private removeHandle(index: number): void {
    if (!this.session.handles[index]) return;
    this.session.setHighlight(null);
    const next = this.session.handles.filter((_, i) => i !== index);
    this.session.setHandles(next);
    this.events.handles(next);
  }

  private toggleImages(): void {
    if (!this.session.images) return;
    const show = !this.session.showImages;
    this.session.setShowImages(show, this.session.imagesSelectedOnly);
    this.events.showImages(show);
  }

  private resetView(): void {
    this.userMoved = false;
    this.viewport.panX = 0;
    this.viewport.panY = 0;
    this.session.setZoom(1);
    this.invalidate();
  }

  private zoomAt(px: number, py: number, zoom: number): void {
    const vp = this.viewport;
    const [vx, vy] = pixelToView(vp, px, py);
    vp.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
    const s = pixelsPerUnit(vp);
    vp.panX = px - vp.width / 2 - s * (vx - vp.centreX);
    vp.panY = py - vp.height / 2 + s * (vy - vp.centreY);
    this.userMoved = true;
    this.root.dataset.zoom = String(vp.zoom);
    this.session.setZoom(vp.zoom / this.session.fitZoom());
    this.invalidate();
  }

  private panTo(panX: number, panY: number): void {
    this.userMoved = true;
    this.viewport.panX = panX;
    this.viewport.panY = panY;
    this.invalidate();
  }

  // -- events -------------------------------------------------------------------------

  private button(doc: Document, className: string, text: string, title: string): HTMLButtonElement {
    const b = element(doc, 'button', className, text);
    b.type = 'button';
    if (title) {
      b.title = title;
      b.setAttribute('aria-label', title);
    }
    return b;
  }

  private listen(resetButton: HTMLButtonElement, helpButton: HTMLButtonElement): void {
    const signal = this.abort.signal;
    const on = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement,
      type: K,
      handler: (event: HTMLElementEventMap[K]) => void,
      options: AddEventListenerOptions = {},
    ): void => target.addEventListener(type, handler, { ...options, signal });
    on(this.playButton, 'click', () => this.togglePlaying());
    on(this.speedInput, 'input', () => this.session.setSpeed(Number(this.speedInput.value)));
    // The slider changes the speed live; Python hears once, when it is let go.
    on(this.speedInput, 'change', () => this.events.speed(Number(this.speedInput.value)));
    // Scrubbing epochs animates live; Python hears the epoch once, when the slider is let go.
    on(this.epochInput, 'input', () => this.showEpoch(this.session.epochs[Number(this.epochInput.value)], false));
    on(this.epochInput, 'change', () => {
      const name = this.session.epochs[Number(this.epochInput.value)];
      if (name !== undefined) this.events.epoch(name);
    });
    on(this.handleButton, 'click', () => {
      this.handleMode = !this.handleMode;
      this.refreshControls();
    });
    on(this.panButton, 'click', () => {
      this.panMode = !this.panMode;
      this.refreshControls();
    });
    on(resetButton, 'click', () => this.resetView());
    on(this.imagesButton, 'click', () => this.toggleImages());
    on(helpButton, 'click', () => this.toggleHelp());
    on(this.alignButton, 'click', () => {
      const enabled = !this.session.alignEnabled;
      this.session.setAlignment(this.session.alignPartner, enabled);
      this.events.align(enabled);
    });
    on(this.colorSelect, 'change', () => this.chooseColorBy(this.colorSelect.value));
    // Keys typed on the menu pick options; they are neither tour keys nor JupyterLab's.
    on(this.colorSelect, 'keydown', (event) => event.stopPropagation());
    this.gestures.listen(signal);
    on(this.plot, 'pointerleave', () => {
      this.hover = null;
      this.tooltip.hide();
    });
    // Keys only while the widget has focus: listeners sit on the widget, never on window.
    on(this.root, 'keydown', (event) => this.onKeyDown(event));
  }

  /** Download the canvas as it stands (points only; the handles are HTML above it). */
  private savePicture(): void {
    this.canvas.toBlob((blob) => {
      if (!blob) return;
      const link = this.root.ownerDocument.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = 'grandtour.png';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }, 'image/png');
  }

  private toggleHelp(): void {
    this.help.style.display = this.help.style.display === 'none' ? '' : 'none';
  }

  private onKeyDown(event: KeyboardEvent): void {
    onTourKey(
      event,
      {
        canDismiss: () =>
          this.gestures.active || this.session.selection.length > 0 || this.handleMode || this.help.style.display !== 'none',
        dismiss: () => {
          this.gestures.end();
          this.handleMode = false;
          this.help.style.display = 'none';
          this.clearSelection();
          this.refreshControls();
        },
        togglePlaying: () => this.togglePlaying(),
        toggleHandleMode: () => {
          this.handleMode = !this.handleMode;
          this.refreshControls();
        },
        removeLastHandle: () => this.removeHandle(this.session.handles.length - 1),
        toggleImages: () => this.toggleImages(),
        resetView: () => this.resetView(),
        stepLayer: (step) => this.stepLayer(step),
        stepEpoch: (step) => this.stepEpoch(step),
        toggleGuided: () => this.toggleGuided(),
        toggleDepth: () => this.toggleDepth(),
        toggleFps: () => this.toggleFps(),
        setCentre: (index) => this.setCentre(index),
        toggleHelp: () => this.toggleHelp(),
      },
      this.epochInput,
    );
  }

  /** The mouse moved with no gesture under way: the tooltip follows it. */
  private hoverOver(point: [number, number]): void {
    this.hover = point;
    this.hoverMoved = true;
    this.hoverAt = performance.now();
    wake();
  }

  /** A lasso ended: its points become the selection, or a handle in handle mode. */
  private lassoed(indices: Uint32Array, projection: number[][], makeHandle: boolean): void {
    if (makeHandle) {
      this.handleMode = false;
      if (indices.length > 0) this.addHandle(indices);
      // Python gets the frame the handle's points were lassoed on, as with a selection.
      this.events.steer(projection);
      this.refreshControls();
      return;
    }
    // The kernel hears first: showing the selection here (a pass over every point's state,
    // and its upload) would otherwise delay the message by that much.
    this.events.select(indices, projection);
    this.session.setSelection(indices);
  }

  // -- hover --------------------------------------------------------------------------

  private updateTooltip(now: number, animating: boolean): void {
    const layer = this.session.layer;
    if (!this.hover || !layer || this.gestures.active) return;
    // The sample the last frame drew, if it drew one: pick among the points on screen.
    const candidates = this.lodSample === undefined ? null : this.session.attachGl().sampleIndices(this.lodSample);
    const cheap = candidates !== null || layer.n * layer.dims <= LIVE_PICK_LIMIT;
    if (!this.hoverMoved && (!animating || !cheap)) return;
    const interval = candidates !== null ? PICK_INTERVAL_MS : 0;
    const wait = (cheap ? this.lastPick + interval : this.hoverAt + HOVER_REST_MS) - performance.now();
    if (wait > 0) {
      // Over a large cloud the pointer is still moving: no stale tooltip, and one pick
      // once it rests. A cheap pick just waits for its turn.
      if (!cheap) this.tooltip.hide();
      if (this.hoverTimer === null) {
        this.hoverTimer = setTimeout(() => {
          this.hoverTimer = null;
          wake();
        }, wait);
      }
      return;
    }
    this.hoverMoved = false;
    this.lastPick = performance.now();
    const [hx, hy] = pixelToView(this.viewport, this.hover[0], this.hover[1]);
    const radius = Math.max(6, this.pointSize()) / pixelsPerUnit(this.viewport);
    const hiddenClasses = this.session.hiddenClasses;
    const codes = this.session.labelCodes;
    const skip = codes && hiddenClasses.size > 0 ? (p: number) => hiddenClasses.has(codes[p]) : null;
    const best = pickNearest(layer.points, layer.n, layer.dims, this.session.basis(now), 3, hx, hy, radius, candidates, skip);
    if (best < 0) {
      this.tooltip.hide();
      return;
    }
    const lines = [`#${best}`];
    if (codes) lines.push(this.session.labelNames[codes[best]] ?? '');
    lines.push(...this.session.pointDetails(best));
    this.tooltip.show(this.hover[0], this.hover[1], lines, this.session.images, best);
  }
}

