import { classScatter, separationIndex, type ClassScatter } from '../core/guided';
import { orthonormalityError } from '../core/frame';
import { createRandom } from '../core/random';
import { TourSession } from './session';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** Three classes apart only along coordinates 4 and 7, in more noise elsewhere. */
function planted(n: number, d: number): { points: Float32Array; codes: Uint8Array } {
  const random = createRandom(21);
  const points = new Float32Array(n * d);
  const codes = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const c = p % 3;
    codes[p] = c;
    for (let i = 0; i < d; i++) points[p * d + i] = 0.25 * gaussian(random);
    points[p * d + 4] = 0.4 * Math.cos((2 * Math.PI * c) / 3) + 0.05 * gaussian(random);
    points[p * d + 7] = 0.4 * Math.sin((2 * Math.PI * c) / 3) + 0.05 * gaussian(random);
  }
  return { points, codes };
}

describe('guided tour in the session', () => {
  const d = 10;
  const n = 900;
  const { points, codes } = planted(n, d);
  const scatter = classScatter(points, n, d, codes) as ClassScatter;
  let now = 1000;

  beforeEach(() => {
    now = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  function session(seed: number): TourSession {
    const s = new TourSession();
    s.setSeed(seed);
    s.setLayers([{ name: 'x', points, n, dims: d }], 'x');
    s.setLabels(codes, ['a', 'b', 'c']);
    return s;
  }

  /** Frames at 60 fps for `seconds`; returns the largest change of the basis between frames. */
  function run(sessions: TourSession[], seconds: number, each?: () => void): number {
    let largest = 0;
    const before = sessions.map((s) => Float64Array.from(s.basis(now)));
    for (let f = 0; f < Math.round(seconds * 60); f++) {
      now += 1000 / 60;
      sessions.forEach((s, k) => {
        s.advance(now);
        const basis = s.basis(now);
        let change = 0;
        for (let i = 0; i < basis.length; i++) change += (basis[i] - before[k][i]) ** 2;
        largest = Math.max(largest, Math.sqrt(change));
        before[k].set(basis);
        expect(orthonormalityError(basis, d, 3)).toBeLessThan(1e-9);
      });
      each?.();
    }
    return largest;
  }

  test('guided on pulls the view toward separating projections; the same tour unguided does not', () => {
    const guided = session(4);
    const random = session(4);
    const start = separationIndex(scatter, guided.basis(now), 3);
    guided.setGuided(true);
    run([guided, random], 6);
    const withGuidance = separationIndex(scatter, guided.basis(now), 3);
    const without = separationIndex(scatter, random.basis(now), 3);
    expect(withGuidance).toBeGreaterThan(5 * Math.max(start, without));
  });

  test('the random rotation slows but does not stop, and resumes its speed without a jump when guidance is off', () => {
    const s = session(9);
    s.setGuided(true);
    run([s], 1);
    const t0 = s.clock.time(now);
    run([s], 1);
    // Fully blended: 30% of the speed.
    expect(s.clock.time(now) - t0).toBeCloseTo(0.3, 2);
    s.setGuided(false);
    // Through the ramp out, no frame moves the view more than a normal frame's worth.
    const largest = run([s], 1);
    expect(largest).toBeLessThan(0.03);
    const t1 = s.clock.time(now);
    run([s], 1);
    expect(s.clock.time(now) - t1).toBeCloseTo(1, 2);
  });

  test('two views of one session step once per frame', () => {
    const once = session(2);
    const twice = session(2);
    once.setGuided(true);
    twice.setGuided(true);
    // The second view of `twice` calls advance again in the same tick.
    run([once, twice], 2, () => twice.advance(now));
    const a = once.basis(now);
    const b = twice.basis(now);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 12);
  });
});
