/**
 * Level of detail while the view moves: when a full frame costs more than the budget, a
 * moving view draws a fixed random sample sized to what a frame can afford, and every point
 * again once still. The cost per point is measured from frame to frame, and it wobbles by
 * half: frame intervals come in whole display frames. The sample follows it only past a
 * margin, shrinking sooner than it grows (a slow frame delays input, a small sample only
 * looks sparser); with a symmetric 20% margin it changed on every other frame at 1M points,
 * points blinked in and out, and each change rewrote the badge.
 */

/** A moving frame should cost at most this much (ms, measured, including the wait for the GPU). */
export const MOVING_FRAME_BUDGET_MS = 50;
/** Never sample below this many points, nor sample a cloud smaller than this. */
export const MIN_SAMPLE = 10_000;
/**
 * The first moving frame, before any cost is measured, draws at most this many points: a
 * first full frame of 1M points took 1.3 s of software GL, and input waited for it.
 */
export const FIRST_SAMPLE = 50_000;
/** The sample shrinks when a frame can afford less than this share of it… */
export const SHRINK_BELOW = 0.75;
/** …and grows when a frame can afford more than this multiple of it. */
export const GROW_ABOVE = 1.5;

/**
 * How many of n points a moving frame draws (undefined: all of them), given the measured
 * cost of one point (ms; 0 before any measurement) and the sample drawn now.
 */
export function movingSample(n: number, msPerPoint: number, current: number | undefined): number | undefined {
  if (n <= MIN_SAMPLE) return undefined;
  if (msPerPoint === 0) return n > FIRST_SAMPLE ? FIRST_SAMPLE : undefined;
  const affordable = MOVING_FRAME_BUDGET_MS / msPerPoint;
  const drawn = current ?? n;
  if (affordable >= SHRINK_BELOW * drawn && affordable <= GROW_ABOVE * drawn) return current;
  if (affordable >= n) return undefined;
  // The nearest thousand, so the badge reads as a round figure.
  return Math.min(n, Math.max(MIN_SAMPLE, Math.round(affordable / 1000) * 1000));
}

/**
 * Made once, on first use: toLocaleString builds a formatter on every call (0.1 ms each in
 * Chromium), and making one at module load cost 15 ms before a widget's first frame.
 */
let counts: Intl.NumberFormat | null = null;

/** What the badge says while a sample of n points is drawn. */
export function sampleBadgeText(sample: number, n: number): string {
  counts ??= new Intl.NumberFormat('en-US');
  return `Moving: drawing ${counts.format(sample)} of ${counts.format(n)} points; all of them when still`;
}
