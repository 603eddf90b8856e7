/**
 * While a lasso is drawn the tour is held, so every point's view coordinates are fixed:
 * project them in slices meanwhile, between pointer events, and the release only has to
 * test the polygon. At 1M × 15 the projection was most of the ~120 ms between release and
 * the selection leaving for the kernel. The 2N array (16 MB at 1M) lives only while the
 * lasso is drawn.
 */
import { projectRows } from '../core/lasso';

/** Points per slice: a few ms of work, so pointer events between slices are not delayed. */
const SLICE = 50_000;

export class HeldProjection {
  private readonly xy: Float64Array;
  private done = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly points: Float32Array,
    private readonly n: number,
    private readonly dims: number,
    private readonly basis: Float64Array,
  ) {
    this.xy = new Float64Array(2 * n);
    this.schedule();
  }

  /** Whether these are still the points and the basis on screen. */
  matches(points: Float32Array, basis: ArrayLike<number>): boolean {
    if (points !== this.points || basis.length !== this.basis.length) return false;
    for (let i = 0; i < basis.length; i++) if (basis[i] !== this.basis[i]) return false;
    return true;
  }

  /** Every point's view coordinates (x, y interleaved), projecting what is left now. */
  finish(): Float64Array {
    this.cancel();
    projectRows(this.points, this.dims, this.basis, 3, this.done, this.n, this.xy);
    this.done = this.n;
    return this.xy;
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const to = Math.min(this.n, this.done + SLICE);
      projectRows(this.points, this.dims, this.basis, 3, this.done, to, this.xy);
      this.done = to;
      this.timer = null;
      if (this.done < this.n) this.schedule();
    }, 0);
  }
}
