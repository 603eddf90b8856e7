/**
 * A small frame-rate readout in a corner of the plot: frames per second and the mean time
 * one frame of this view took to draw (ms, CPU side including the copy into the view's
 * canvas), refreshed twice a second. Frames are counted where they are drawn, so a still
 * view reads 0 fps: it costs nothing.
 */
import { element } from './dom';

/** How often the text changes. */
const REFRESH_MS = 500;

export class FpsReadout {
  readonly element: HTMLDivElement;
  private frames = 0;
  private busyMs = 0;
  private windowStart = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(parent: HTMLElement) {
    this.element = element(parent.ownerDocument, 'div', 'grandtour-fps');
    this.element.setAttribute('aria-live', 'off');
    this.element.title = 'Frames per second, and milliseconds to draw a frame (f)';
    this.element.style.display = 'none';
    parent.appendChild(this.element);
  }

  get visible(): boolean {
    return this.timer !== null;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    if (visible) {
      this.frames = 0;
      this.busyMs = 0;
      this.windowStart = performance.now();
      this.element.textContent = '… fps';
      this.element.style.display = '';
      this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    } else {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      this.element.style.display = 'none';
    }
  }

  /** One frame drawn, which took `ms` to draw. */
  frame(ms: number): void {
    if (this.timer === null) return;
    this.frames++;
    this.busyMs += ms;
  }

  destroy(): void {
    this.setVisible(false);
    this.element.remove();
  }

  private refresh(): void {
    const now = performance.now();
    const seconds = Math.max((now - this.windowStart) / 1000, 1e-3);
    const fps = this.frames / seconds;
    const ms = this.frames > 0 ? this.busyMs / this.frames : 0;
    this.element.textContent = this.frames > 0 ? `${fps.toFixed(0)} fps · ${ms.toFixed(1)} ms` : '0 fps (still)';
    this.element.dataset.fps = fps.toFixed(1);
    this.element.dataset.ms = ms.toFixed(2);
    this.frames = 0;
    this.busyMs = 0;
    this.windowStart = now;
  }
}
