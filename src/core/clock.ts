/**
 * Tour time on a wall clock. time(now) is a pure function of the wall time, not a sum of
 * per-frame steps, so the tour runs at the same speed at 10 fps as at 60, and two views
 * (or two linked tours) that read one clock can never push it twice as fast.
 */
export interface ClockState {
  playing: boolean;
  /** Tour seconds per wall second. */
  speed: number;
  /** Tour time at `anchor`. */
  base: number;
  /** Wall time in ms when `base` was taken. */
  anchor: number;
}

export class TourClock {
  private state: ClockState;

  constructor(now: number, playing = true, speed = 1, time = 0) {
    this.state = { playing, speed, base: time, anchor: now };
  }

  get playing(): boolean {
    return this.state.playing;
  }

  get speed(): number {
    return this.state.speed;
  }

  time(now: number): number {
    const { playing, speed, base, anchor } = this.state;
    return playing ? base + (speed * (now - anchor)) / 1000 : base;
  }

  setPlaying(playing: boolean, now: number): void {
    if (playing === this.state.playing) return;
    this.rebase(now);
    this.state.playing = playing;
  }

  setSpeed(speed: number, now: number): void {
    if (!Number.isFinite(speed) || speed < 0) {
      throw new RangeError(`[grandtour] speed must be a finite number ≥ 0, got ${speed}`);
    }
    this.rebase(now);
    this.state.speed = speed;
  }

  setTime(time: number, now: number): void {
    this.state.base = time;
    this.state.anchor = now;
  }

  private rebase(now: number): void {
    this.state.base = this.time(now);
    this.state.anchor = now;
  }
}
