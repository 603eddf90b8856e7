import { basisAt, createOrientation, setBasisAt } from './orientation';
import { identityFrame, orthonormalityError } from './frame';
import { createTourPlan, rotateFrame, unrotateFrame } from './tour';
import { TourClock } from './clock';

const FRAME_MS = 1000 / 60;

describe('the Grand Tour', () => {
  test('stays orthonormal to 1e-9 after a million frames', () => {
    const orientation = createOrientation(15, 7);
    const time = (1e6 * FRAME_MS) / 1000;
    const basis = basisAt(orientation, time);
    expect(orthonormalityError(basis, 15, 3)).toBeLessThanOrEqual(1e-9);
    // Rebuilding from the rates means frame 10^6 is exactly as good as frame 1.
    expect(orthonormalityError(basisAt(orientation, FRAME_MS / 1000), 15, 3)).toBeLessThanOrEqual(1e-12);
  });

  test('the same seed gives the same frames, another seed other frames', () => {
    const a = createOrientation(12, 3);
    const b = createOrientation(12, 3);
    const c = createOrientation(12, 4);
    for (const t of [0.5, 17, 1234.5]) {
      expect(Array.from(basisAt(a, t))).toEqual(Array.from(basisAt(b, t)));
      const diff = basisAt(a, t).reduce((s, v, i) => s + Math.abs(v - basisAt(c, t)[i]), 0);
      expect(diff).toBeGreaterThan(1e-3);
    }
  });

  test('moves smoothly: small steps in time are small steps in the view', () => {
    const o = createOrientation(15, 1);
    let previous = basisAt(o, 0);
    let largest = 0;
    for (let frame = 1; frame < 600; frame++) {
      const next = basisAt(o, (frame * FRAME_MS) / 1000);
      const step = Math.sqrt(next.reduce((s, v, i) => s + (v - previous[i]) ** 2, 0));
      largest = Math.max(largest, step);
      previous = next;
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(0.05);
  });

  test('visits the whole space: every axis shows up strongly in the view at some time', () => {
    const d = 10;
    const o = createOrientation(d, 11);
    const best = new Float64Array(d);
    for (let t = 0; t < 4000; t += 0.5) {
      const b = basisAt(o, t);
      for (let i = 0; i < d; i++) best[i] = Math.max(best[i], b[i * 3] ** 2 + b[i * 3 + 1] ** 2);
    }
    for (let i = 0; i < d; i++) expect(best[i]).toBeGreaterThan(0.6);
  });

  test('unrotate inverts rotate', () => {
    const plan = createTourPlan(9, 2);
    const frame = identityFrame(9, 3);
    const back = unrotateFrame(plan, 42.5, rotateFrame(plan, 42.5, Float64Array.from(frame), 3), 3);
    back.forEach((v, i) => expect(v).toBeCloseTo(frame[i], 12));
  });

  test('setting the basis shows exactly that basis, and the tour continues from it', () => {
    const d = 6;
    const o = createOrientation(d, 5);
    const target = new Float64Array(d * 2);
    // Two orthonormal columns mixing several axes.
    const u = [1, 1, 0, 1, 0, 1].map((v) => v / 2);
    const v = [1, -1, 1, 0, 1, 0].map((x) => x / 2);
    for (let i = 0; i < d; i++) {
      target[2 * i] = u[i];
      target[2 * i + 1] = v[i];
    }
    setBasisAt(o, 30, target, 2);
    const shown = basisAt(o, 30);
    for (let i = 0; i < d; i++) {
      expect(shown[i * 3]).toBeCloseTo(u[i], 12);
      expect(shown[i * 3 + 1]).toBeCloseTo(v[i], 12);
    }
    expect(orthonormalityError(shown, d, 3)).toBeLessThan(1e-12);
    const later = basisAt(o, 30 + FRAME_MS / 1000);
    const step = Math.sqrt(later.reduce((s, x, i) => s + (x - shown[i]) ** 2, 0));
    expect(step).toBeLessThan(0.03);
  });

  test('rejects a dimension below 2', () => {
    expect(() => createTourPlan(1, 0)).toThrow(/dimension ≥ 2/);
  });
});

describe('the tour clock', () => {
  test('runs on wall time, not on frames', () => {
    const clock = new TourClock(0, true, 2);
    // However often it is read, 1.5 s of wall time is 3 tour seconds at speed 2.
    for (let now = 0; now <= 1500; now += 7) clock.time(now);
    expect(clock.time(1500)).toBeCloseTo(3, 12);
  });

  test('pausing freezes time and resuming continues without a jump', () => {
    const clock = new TourClock(0, true, 1);
    clock.setPlaying(false, 1000);
    expect(clock.time(5000)).toBeCloseTo(1, 12);
    clock.setPlaying(true, 5000);
    expect(clock.time(5500)).toBeCloseTo(1.5, 12);
  });

  test('changing speed keeps the current time', () => {
    const clock = new TourClock(0, true, 1);
    clock.setSpeed(4, 1000);
    expect(clock.time(1000)).toBeCloseTo(1, 12);
    expect(clock.time(1250)).toBeCloseTo(2, 12);
    expect(() => clock.setSpeed(-1, 0)).toThrow(/speed/);
    expect(() => clock.setSpeed(NaN, 0)).toThrow(/speed/);
  });
});

import { largestVariance } from './spread';

describe('spread', () => {
  test('largest variance is the top eigenvalue, whatever the rotation', () => {
    // Variances 4, 1, 0.25 along three orthogonal axes, then rotated.
    const n = 3000;
    const random = (() => {
      let s = 1;
      return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    })();
    const points = new Float32Array(n * 3);
    const c = Math.cos(0.6);
    const s = Math.sin(0.6);
    for (let p = 0; p < n; p++) {
      const [a, b, z] = [2 * random() * Math.sqrt(3), random() * Math.sqrt(3), 0.5 * random() * Math.sqrt(3)];
      points.set([c * a - s * b, s * a + c * b, z], p * 3);
    }
    expect(largestVariance(points, n, 3)).toBeCloseTo(4, 0);
  });
});
