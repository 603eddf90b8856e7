/**
 * One displayed tour: the DOM, pointer and keyboard handling, and drawing of its
 * session's scene. It never talks to the widget model; it reports what the user did
 * through TourViewEvents, and the adapter decides what to sync.
 */
import { selectInPolygon } from '../core/lasso';
import { createViewport, pixelToView, viewToClip, type Viewport } from '../core/viewport';
import { renderInto } from '../render/present';
import { element, ensureStyles, svgElement } from './dom';
import { addToLoop, removeFromLoop, wake, type Animated } from './frame-loop';
import { renderLegend } from './legend';
import type { TourSession } from './session';

export interface TourViewEvents {
  /** A brush ended (or was cleared): the new selection and the basis it was computed with. */
  select(indices: Uint32Array, projection: number[][]): void;
  /** Play/pause from the view, with the basis shown at that moment. */
  playing(playing: boolean, projection: number[][]): void;
  speed(speed: number): void;
}

/** Pointer travel (CSS px) below which a press is a click, not a lasso. */
const CLICK_SLOP = 4;

export class TourView implements Animated {
  readonly root: HTMLDivElement;
  private readonly plot: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly lassoPath: SVGPathElement;
  private readonly playButton: HTMLButtonElement;
  private readonly speedInput: HTMLInputElement;
  private readonly countText: HTMLSpanElement;
  private readonly legend: HTMLDivElement;
  private readonly errorBox: HTMLDivElement;
  private readonly viewport: Viewport = createViewport(1, 1);
  private readonly resizeObserver: ResizeObserver;
  private readonly intersectionObserver: IntersectionObserver | null;
  private readonly abort = new AbortController();
  private readonly onSessionChange = (): void => this.invalidate();
  /** Lasso vertices in CSS pixels while a drag is under way. */
  private lasso: number[] | null = null;
  private visible = true;
  private dirty = true;
  private failed = false;
  private frames = 0;

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
    this.root.setAttribute('aria-label', 'Grand Tour view: drag to lasso, space to play or pause, Escape to clear');
    this.root.dataset.status = 'loading';
    this.root.dataset.frames = '0';

    this.plot = element(doc, 'div', 'grandtour-plot');
    this.canvas = element(doc, 'canvas', 'grandtour-canvas');
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('[grandtour] a 2D canvas is not available');
    this.context = context;
    const overlay = svgElement(doc, 'svg', 'grandtour-overlay');
    this.lassoPath = svgElement(doc, 'path', 'grandtour-lasso');
    overlay.appendChild(this.lassoPath);

    const toolbar = element(doc, 'div', 'grandtour-toolbar');
    this.playButton = element(doc, 'button', 'grandtour-play');
    this.playButton.type = 'button';
    this.speedInput = element(doc, 'input', 'grandtour-speed');
    this.speedInput.type = 'range';
    this.speedInput.min = '0';
    this.speedInput.max = '4';
    this.speedInput.step = '0.05';
    this.speedInput.title = 'Speed';
    this.speedInput.setAttribute('aria-label', 'Tour speed');
    this.countText = element(doc, 'span', 'grandtour-count');
    toolbar.append(this.playButton, this.speedInput, this.countText);

    this.legend = element(doc, 'div', 'grandtour-legend');
    this.errorBox = element(doc, 'div', 'grandtour-error');
    this.errorBox.setAttribute('role', 'alert');
    this.plot.append(this.canvas, overlay, toolbar);
    this.root.append(this.plot, this.legend, this.errorBox);
    host.appendChild(this.root);

    this.listen();
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
    session.listeners.add(this.onSessionChange);
    this.refreshControls();
    addToLoop(this);
  }

  setHeight(height: number): void {
    this.root.style.height = `${height}px`;
    this.resize();
  }

  /** Rebuild what depends on labels (legend). */
  refreshLegend(): void {
    renderLegend(this.legend, this.session.labelNames, this.session.palette);
  }

  /** Replace the view with a readable error; the widget area says what went wrong. */
  showError(message: string): void {
    this.failed = true;
    this.root.dataset.status = 'error';
    this.errorBox.textContent = message;
    console.error(message);
  }

  clearError(): void {
    if (!this.failed) return;
    this.failed = false;
    this.root.dataset.status = this.frames > 0 ? 'ready' : 'loading';
    this.errorBox.textContent = '';
    this.invalidate();
  }

  invalidate(): void {
    this.dirty = true;
    this.refreshControls();
    wake();
  }

  frame(now: number): boolean {
    const animating = this.session.playing && this.session.clock.playing;
    if (this.failed) return false;
    if (!this.visible || (!this.dirty && !animating)) return animating && this.visible;
    this.dirty = false;
    try {
      this.draw(now);
    } catch (error) {
      this.showError(error instanceof Error ? error.message : `[grandtour] ${String(error)}`);
      return false;
    }
    return animating;
  }

  destroy(): void {
    removeFromLoop(this);
    this.abort.abort();
    this.resizeObserver.disconnect();
    this.intersectionObserver?.disconnect();
    this.session.listeners.delete(this.onSessionChange);
    if (this.lasso) this.session.release();
    this.root.remove();
  }

  private draw(now: number): void {
    const session = this.session;
    if (!session.layer) return;
    session.attachGl();
    const gl = session.sharedGl;
    if (!gl) return;
    const dpr = this.canvas.width / Math.max(this.viewport.width, 1);
    const width = this.canvas.width;
    const height = this.canvas.height;
    renderInto(gl, this.context, width, height, () => {
      session.draw(
        { viewToClip: viewToClip(this.viewport), width, height, pointSize: this.pointSize() * dpr },
        now,
      );
    });
    this.frames++;
    this.root.dataset.frames = String(this.frames);
    if (this.root.dataset.status !== 'ready') this.root.dataset.status = 'ready';
  }

  /** CSS pixels: large for a few points, down to 1.5 px for millions. */
  private pointSize(): number {
    const n = Math.max(this.session.count, 1);
    const side = Math.min(this.viewport.width, this.viewport.height);
    const size = (0.4 * side) / Math.sqrt(n);
    return Math.max(1.5, Math.min(8, size)) * Math.sqrt(this.viewport.zoom);
  }

  private resize(): void {
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
    this.invalidate();
  }

  private refreshControls(): void {
    const playing = this.session.playing;
    this.playButton.textContent = playing ? '❚❚' : '▶';
    this.playButton.title = playing ? 'Pause (space)' : 'Play (space)';
    this.playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    this.playButton.setAttribute('aria-pressed', String(playing));
    if (this.root.ownerDocument.activeElement !== this.speedInput) {
      this.speedInput.value = String(this.session.clock.speed);
    }
    const n = this.session.count;
    const selected = this.session.selection.length;
    this.countText.textContent =
      `${n.toLocaleString('en-US')} points` + (selected ? ` · ${selected.toLocaleString('en-US')} selected` : '');
  }

  private currentProjection(): number[][] {
    const basis = this.session.basis(performance.now());
    const dims = basis.length / 3;
    const rows: number[][] = [];
    for (let i = 0; i < dims; i++) rows.push([basis[i * 3], basis[i * 3 + 1]]);
    return rows;
  }

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

  private listen(): void {
    const signal = this.abort.signal;
    this.playButton.addEventListener('click', () => this.togglePlaying(), { signal });
    this.speedInput.addEventListener(
      'input',
      () => this.session.setSpeed(Number(this.speedInput.value)),
      { signal },
    );
    // The slider changes the speed live; Python hears once, when it is let go.
    this.speedInput.addEventListener('change', () => this.events.speed(Number(this.speedInput.value)), { signal });
    this.plot.addEventListener('pointerdown', (event) => this.onPointerDown(event), { signal });
    this.plot.addEventListener('pointermove', (event) => this.onPointerMove(event), { signal });
    this.plot.addEventListener('pointerup', (event) => this.onPointerUp(event), { signal });
    this.plot.addEventListener('pointercancel', () => this.cancelLasso(), { signal });
    // Keys only while the widget has focus: listeners sit on the widget, never on window.
    this.root.addEventListener('keydown', (event) => this.onKeyDown(event), { signal });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target instanceof HTMLInputElement && target.type !== 'range') return;
    if (event.key === 'Escape') {
      // Jupyter would take Escape to leave the output; with a lasso or a selection to
      // clear it belongs to the widget, otherwise let it through.
      if (!this.lasso && this.session.selection.length === 0) return;
      this.cancelLasso();
      this.clearSelection();
    } else if (event.key === ' ' || event.key === 'p') {
      this.togglePlaying();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  private localPoint(event: PointerEvent): [number, number] {
    const rect = this.plot.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || this.failed) return;
    if ((event.target as HTMLElement).closest('.grandtour-toolbar')) return;
    this.root.focus({ preventScroll: true });
    this.plot.setPointerCapture(event.pointerId);
    this.lasso = [...this.localPoint(event)];
    this.session.hold();
    event.preventDefault();
  }

  private onPointerMove(event: PointerEvent): void {
    if (!this.lasso) return;
    const [x, y] = this.localPoint(event);
    const lastX = this.lasso[this.lasso.length - 2];
    const lastY = this.lasso[this.lasso.length - 1];
    if (Math.hypot(x - lastX, y - lastY) < 2) return;
    this.lasso.push(x, y);
    this.lassoPath.setAttribute('d', lassoPathData(this.lasso));
  }

  private onPointerUp(event: PointerEvent): void {
    if (!this.lasso) return;
    this.onPointerMove(event);
    const lasso = this.lasso;
    const layer = this.session.layer;
    if (isClick(lasso) || !layer) {
      this.cancelLasso();
      this.clearSelection();
      return;
    }
    const polygon = new Float64Array(lasso.length);
    for (let v = 0; v < lasso.length; v += 2) {
      const [x, y] = pixelToView(this.viewport, lasso[v], lasso[v + 1]);
      polygon[v] = x;
      polygon[v + 1] = y;
    }
    // The tour is held until cancelLasso(), so this is the basis of the frame on screen.
    const basis = this.session.basis(performance.now());
    const indices = selectInPolygon(layer.points, layer.n, layer.dims, basis, 3, polygon);
    const projection = this.currentProjection();
    this.cancelLasso();
    this.session.setSelection(indices);
    this.events.select(indices, projection);
  }

  private cancelLasso(): void {
    if (!this.lasso) return;
    this.lasso = null;
    this.lassoPath.setAttribute('d', '');
    this.session.release();
  }
}

function lassoPathData(points: number[]): string {
  let d = `M${points[0].toFixed(1)},${points[1].toFixed(1)}`;
  for (let v = 2; v < points.length; v += 2) d += `L${points[v].toFixed(1)},${points[v + 1].toFixed(1)}`;
  return `${d}Z`;
}

function isClick(points: number[]): boolean {
  if (points.length < 6) return true;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let v = 0; v < points.length; v += 2) {
    minX = Math.min(minX, points[v]);
    maxX = Math.max(maxX, points[v]);
    minY = Math.min(minY, points[v + 1]);
    maxY = Math.max(maxY, points[v + 1]);
  }
  return maxX - minX < CLICK_SLOP && maxY - minY < CLICK_SLOP;
}
