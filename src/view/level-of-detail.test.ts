import { FIRST_SAMPLE, MIN_SAMPLE, MOVING_FRAME_BUDGET_MS, movingSample, sampleBadgeText } from './level-of-detail';

describe('movingSample', () => {
  const n = 1_000_000;

  it('draws small clouds whole', () => {
    expect(movingSample(MIN_SAMPLE, 1, undefined)).toBeUndefined();
  });

  it('starts from a bounded sample before any cost is measured', () => {
    expect(movingSample(n, 0, undefined)).toBe(FIRST_SAMPLE);
    expect(movingSample(FIRST_SAMPLE - 1, 0, undefined)).toBeUndefined();
  });

  it('sizes the sample to the budget, to the nearest thousand, never below the minimum', () => {
    expect(movingSample(n, MOVING_FRAME_BUDGET_MS / 123_456, FIRST_SAMPLE)).toBe(123_000);
    expect(movingSample(n, MOVING_FRAME_BUDGET_MS / 123_600, FIRST_SAMPLE)).toBe(124_000);
    expect(movingSample(n, 1, FIRST_SAMPLE)).toBe(MIN_SAMPLE);
  });

  it('keeps the sample while the measured cost wobbles within the margin, and shrinks sooner than it grows', () => {
    const current = 40_000;
    for (const wobble of [0.8, 0.95, 1.2, 1.45]) {
      expect(movingSample(n, MOVING_FRAME_BUDGET_MS / (current * wobble), current)).toBe(current);
    }
    expect(movingSample(n, MOVING_FRAME_BUDGET_MS / (current * 1.6), current)).toBe(64_000);
    expect(movingSample(n, MOVING_FRAME_BUDGET_MS / (current * 0.7), current)).toBe(28_000);
  });

  it('draws every point once a full frame is affordable, and stays there within the margin', () => {
    expect(movingSample(100_000, MOVING_FRAME_BUDGET_MS / 150_000, 60_000)).toBeUndefined();
    expect(movingSample(100_000, MOVING_FRAME_BUDGET_MS / 85_000, 60_000)).toBe(60_000);
    expect(movingSample(100_000, MOVING_FRAME_BUDGET_MS / 80_000, undefined)).toBeUndefined();
    expect(movingSample(100_000, MOVING_FRAME_BUDGET_MS / 70_000, undefined)).toBe(70_000);
  });
});

describe('sampleBadgeText', () => {
  it('names the sample and the whole with thousands separators', () => {
    expect(sampleBadgeText(24_000, 1_000_000)).toBe('Moving: drawing 24,000 of 1,000,000 points; all of them when still');
  });
});
