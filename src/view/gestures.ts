/**
 * Pointer gestures on the plot: lasso, pan, steering a handle, pinch zoom and wheel zoom.
 * One gesture at a time; a lasso or a steering drag holds the tour still until it ends, so
 * the frame the user aimed at is the frame the result is computed on.
 */
import { polygonBounds, selectInPolygon, selectProjected } from '../core/lasso';
import { HeldProjection } from './held-projection';
import { beginDrag, contextSample, dragTo, projectVector, type DragState } from '../core/steer';
import { pixelToView, viewToPixel, type Viewport } from '../core/viewport';
import type { TourSession } from './session';

/** Pointer travel (CSS px) below which a press is a click, not a lasso. */
const CLICK_SLOP = 4;
/** Fewer than three vertices (x, y pairs) enclose nothing: a click, whatever the travel. */
const MIN_LASSO_COORDS = 6;
/** Lasso vertices closer than this (CSS px) add nothing but work for the selection. */
const LASSO_STEP = 2;

type Gesture =
  | { kind: 'lasso'; points: number[]; makeHandle: boolean; held: HeldProjection | null }
  | { kind: 'pan'; x: number; y: number; panX: number; panY: number }
  | { kind: 'steer'; index: number; drag: DragState; offsetX: number; offsetY: number }
  | { kind: 'pinch'; distance: number; zoom: number };

/** What the gestures need of the view, and what they tell it. */
export interface GestureHost {
  /** No gestures over an error. */
  failed(): boolean;
  /** The next lasso makes a handle instead of a selection. */
  handleMode(): boolean;
  /** A plain drag pans. */
  panMode(): boolean;
  /** Take the keyboard focus, so keys work after a click on the plot. */
  focus(): void;
  hideTooltip(): void;
  /** The mouse moved with no gesture under way. */
  hover(point: [number, number]): void;
  zoomAt(px: number, py: number, zoom: number): void;
  pan(panX: number, panY: number): void;
  /** The d×2 basis on screen now, as Python's projection trait holds it. */
  projection(): number[][];
  /** A press that did not move far enough to be a lasso. */
  clicked(makeHandle: boolean): void;
  /** A lasso ended on these points, seen under `projection`. */
  lassoed(indices: Uint32Array, projection: number[][], makeHandle: boolean): void;
  /** A steering drag ended: the view it left. */
  steered(projection: number[][]): void;
}

export class PointerGestures {
  private gesture: Gesture | null = null;
  /** Pointers currently down on the plot, for pinch zoom. */
  private readonly pointers = new Map<number, [number, number]>();

  constructor(
    private readonly plot: HTMLElement,
    private readonly lassoPath: SVGPathElement,
    private readonly viewport: Viewport,
    private readonly session: TourSession,
    private readonly host: GestureHost,
  ) {}

  /** Whether a gesture is under way (hover and some keys wait for it). */
  get active(): boolean {
    return this.gesture !== null;
  }

  /** The gesture under way, if any: steering, panning and pinching move the view. */
  get kind(): Gesture['kind'] | undefined {
    return this.gesture?.kind;
  }

  listen(signal: AbortSignal): void {
    const plot = this.plot;
    plot.addEventListener('pointerdown', (event) => this.onPointerDown(event), { signal });
    plot.addEventListener('pointermove', (event) => this.onPointerMove(event), { signal });
    plot.addEventListener('pointerup', (event) => this.onPointerUp(event), { signal });
    plot.addEventListener(
      'pointercancel',
      (event) => {
        this.pointers.delete(event.pointerId);
        this.end();
      },
      { signal },
    );
    plot.addEventListener('wheel', (event) => this.onWheel(event), { passive: false, signal });
  }

  /** Start steering handle `index` (a press on its ring). */
  grabHandle(index: number, event: PointerEvent): void {
    const handle = this.session.handles[index];
    const layer = this.session.layer;
    if (event.button !== 0 || !handle || !layer || this.gesture) return;
    event.preventDefault();
    event.stopPropagation();
    this.host.focus();
    this.plot.setPointerCapture(event.pointerId);
    this.pointers.set(event.pointerId, this.localPoint(event));
    this.session.hold();
    const basis = Float64Array.from(this.session.basis(performance.now()));
    const centroids = this.session.handles.map((h) => this.session.centroid(h));
    const drag = beginDrag(centroids, index, basis, () =>
      contextSample(layer.n, handle.indices, 24).map((p) =>
        Float64Array.from(layer.points.subarray(p * layer.dims, (p + 1) * layer.dims)),
      ),
    );
    const [x, y] = projectVector(centroids[index], basis, 3);
    const [hx, hy] = viewToPixel(this.viewport, x, y);
    const [px, py] = this.localPoint(event);
    this.gesture = { kind: 'steer', index, drag, offsetX: px - hx, offsetY: py - hy };
  }

  /** Drop the gesture under way, if any: the lasso's outline goes and the tour resumes. */
  end(): void {
    const gesture = this.gesture;
    if (!gesture) return;
    this.gesture = null;
    if (gesture.kind === 'lasso') {
      this.lassoPath.setAttribute('d', '');
      gesture.held?.cancel();
    }
    if (gesture.kind === 'lasso' || gesture.kind === 'steer') this.session.release();
  }

  private localPoint(event: PointerEvent | WheelEvent): [number, number] {
    const rect = this.plot.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const [x, y] = this.localPoint(event);
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    this.host.zoomAt(x, y, this.viewport.zoom * Math.exp(-delta * 0.0015));
  }

  private onPointerDown(event: PointerEvent): void {
    if (this.host.failed()) return;
    const target = event.target as HTMLElement;
    if (target.closest('.grandtour-toolbar, .grandtour-handle, .grandtour-help, .grandtour-layers, .grandtour-epochs')) return;
    this.host.focus();
    const point = this.localPoint(event);
    this.pointers.set(event.pointerId, point);
    this.plot.setPointerCapture(event.pointerId);
    event.preventDefault();
    this.host.hideTooltip();
    if (this.pointers.size === 2) {
      // A second finger turns whatever the first one started into a pinch.
      this.end();
      const [a, b] = [...this.pointers.values()];
      this.gesture = { kind: 'pinch', distance: Math.hypot(a[0] - b[0], a[1] - b[1]), zoom: this.viewport.zoom };
      return;
    }
    if (this.pointers.size > 2 || this.gesture) return;
    if (this.host.panMode() || event.button === 1 || event.ctrlKey || event.metaKey) {
      this.gesture = { kind: 'pan', x: point[0], y: point[1], panX: this.viewport.panX, panY: this.viewport.panY };
      return;
    }
    if (event.button !== 0) return;
    this.session.hold();
    const layer = this.session.layer;
    const held = layer
      ? new HeldProjection(layer.points, layer.n, layer.dims, Float64Array.from(this.session.basis(performance.now())))
      : null;
    this.gesture = { kind: 'lasso', points: [...point], makeHandle: this.host.handleMode(), held };
  }

  private onPointerMove(event: PointerEvent): void {
    const point = this.localPoint(event);
    if (this.pointers.has(event.pointerId)) this.pointers.set(event.pointerId, point);
    const gesture = this.gesture;
    if (!gesture) {
      if (event.pointerType === 'mouse' || event.pointerType === 'pen') this.host.hover(point);
      return;
    }
    const [x, y] = point;
    if (gesture.kind === 'lasso') {
      const lastX = gesture.points[gesture.points.length - 2];
      const lastY = gesture.points[gesture.points.length - 1];
      if (Math.hypot(x - lastX, y - lastY) < LASSO_STEP) return;
      gesture.points.push(x, y);
      this.lassoPath.setAttribute('d', lassoPathData(gesture.points));
    } else if (gesture.kind === 'pan') {
      this.host.pan(gesture.panX + x - gesture.x, gesture.panY + y - gesture.y);
    } else if (gesture.kind === 'steer') {
      const [vx, vy] = pixelToView(this.viewport, x - gesture.offsetX, y - gesture.offsetY);
      const basis = Float64Array.from(this.session.basis(performance.now()));
      this.session.setBasis(dragTo(gesture.drag, basis, vx, vy));
    } else if (gesture.kind === 'pinch' && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (gesture.distance > 0) this.host.zoomAt((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (gesture.zoom * distance) / gesture.distance);
    }
  }

  private onPointerUp(event: PointerEvent): void {
    this.onPointerMove(event);
    this.pointers.delete(event.pointerId);
    const gesture = this.gesture;
    if (!gesture) return;
    if (gesture.kind === 'lasso') {
      this.finishLasso(gesture.points, gesture.makeHandle, gesture.held);
    } else if (gesture.kind === 'steer') {
      const projection = this.host.projection();
      this.end();
      this.host.steered(projection);
    } else if (gesture.kind !== 'pinch' || this.pointers.size === 0) {
      this.end();
    }
  }

  private finishLasso(lasso: number[], makeHandle: boolean, held: HeldProjection | null): void {
    const layer = this.session.layer;
    if (isClick(lasso) || !layer) {
      this.end();
      this.host.clicked(makeHandle);
      return;
    }
    const polygon = new Float64Array(lasso.length);
    for (let v = 0; v < lasso.length; v += 2) {
      const [x, y] = pixelToView(this.viewport, lasso[v], lasso[v + 1]);
      polygon[v] = x;
      polygon[v + 1] = y;
    }
    // The tour is held until end(), so this is the basis of the frame on screen.
    const basis = this.session.basis(performance.now());
    // Projected while the lasso was drawn, unless something turned the view meanwhile.
    const selected =
      held && held.matches(layer.points, basis)
        ? selectProjected(held.finish(), layer.n, polygon)
        : selectInPolygon(layer.points, layer.n, layer.dims, basis, 3, polygon);
    const indices = this.session.withoutHidden(selected);
    const projection = this.host.projection();
    this.end();
    this.host.lassoed(indices, projection, makeHandle);
  }
}

function lassoPathData(points: number[]): string {
  let d = `M${points[0].toFixed(1)},${points[1].toFixed(1)}`;
  for (let v = 2; v < points.length; v += 2) d += `L${points[v].toFixed(1)},${points[v + 1].toFixed(1)}`;
  return `${d}Z`;
}

function isClick(points: number[]): boolean {
  if (points.length < MIN_LASSO_COORDS) return true;
  const [minX, minY, maxX, maxY] = polygonBounds(points);
  return maxX - minX < CLICK_SLOP && maxY - minY < CLICK_SLOP;
}
