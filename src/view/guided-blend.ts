/**
 * The guided (class-separating) tour blended into the random one: how far it is faded in,
 * how much it slows the random rotation, how often it may step, and the class scatter it
 * climbs. The session applies the steps, since only it knows the clock and orientation.
 */
import { classScatter, type ClassScatter } from '../core/guided';
import type { LayerData } from './session';

/** The guided tour fades in and out over this long. */
const GUIDED_RAMP_MS = 500;
/** With guidance fully on the random rotation runs at 30% of its speed. */
const GUIDED_SLOWDOWN = 0.7;
/** Largest guided move per second (Frobenius norm of the frame's change) at speed 1. */
export const GUIDED_RATE = 0.6;
/** A stalled tab must not make one giant step. */
const LONGEST_STEP_MS = 100;

export class GuidedBlend {
  on = false;
  private ramp = { from: 0, to: 0, start: 0 };
  private steppedAt: number | null = null;
  /** Scatter matrices per layer (null: nothing to separate), for the current labels. */
  private scatterCache = new WeakMap<LayerData, ClassScatter | null>();

  /** Turn guidance on or off at wall time `now`; false when it already was. */
  set(on: boolean, now: number): boolean {
    if (on === this.on) return false;
    this.ramp = { from: this.weight(now), to: on ? 1 : 0, start: now };
    this.on = on;
    return true;
  }

  /** How much of the guided tour is blended in at wall time `now` (0…1, eased). */
  weight(now: number): number {
    const { from, to, start } = this.ramp;
    const s = Math.min(1, Math.max(0, (now - start) / GUIDED_RAMP_MS));
    return from + (to - from) * s * s * (3 - 2 * s);
  }

  /** The factor on the random rotation's speed at this weight (never zero). */
  slowdown(weight: number): number {
    return 1 - GUIDED_SLOWDOWN * weight;
  }

  /**
   * Seconds to step for the frame at `now`, or null when this call must not step: the
   * first frame, or a second view of the session asking in the same tick.
   */
  stepSeconds(now: number): number | null {
    const last = this.steppedAt;
    this.steppedAt = now;
    if (last === null || now <= last) return null;
    return Math.min(now - last, LONGEST_STEP_MS) / 1000;
  }

  /** The class scatter of a layer under these labels, computed once per layer. */
  scatterOf(layer: LayerData, codes: ArrayLike<number>): ClassScatter | null {
    let scatter = this.scatterCache.get(layer);
    if (scatter === undefined) {
      scatter = classScatter(layer.points, layer.n, layer.dims, codes);
      this.scatterCache.set(layer, scatter);
    }
    return scatter;
  }

  /** New labels make every cached scatter stale. */
  forgetScatter(): void {
    this.scatterCache = new WeakMap();
  }
}
