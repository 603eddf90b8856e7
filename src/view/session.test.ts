import { TourSession, TRANSITION_MS } from './session';

function layer(name: string, shift: number) {
  // Four points in 3-D; the second layer is the first moved by `shift` along x.
  const points = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => (i % 3 === 0 ? v + shift : v)));
  return { name, points, n: 4, dims: 3 };
}

describe('layer switches', () => {
  test('ease from 0 to 1 over the transition, then stop', () => {
    const session = new TourSession();
    session.setLayers([layer('a', 0), layer('b', 0.5)], 'a');
    const start = performance.now();
    session.setCurrentLayer('b');
    expect(session.transitioning).toBe(true);
    const mixes: number[] = [];
    for (const t of [0, 0.25, 0.5, 0.75]) {
      session.advance(start + t * TRANSITION_MS);
      mixes.push((session as unknown as { mix: number }).mix);
    }
    // Smoothstep: slow at both ends, half-way at the middle, monotone.
    expect(mixes[0]).toBeCloseTo(0, 2);
    expect(mixes[2]).toBeCloseTo(0.5, 2);
    expect(mixes[1]).toBeLessThan(0.25);
    expect(mixes[3]).toBeGreaterThan(0.75);
    session.advance(start + TRANSITION_MS + 1);
    expect(session.transitioning).toBe(false);
  });

  test('handles glide from centroid to centroid', () => {
    const session = new TourSession();
    session.setLayers([layer('a', 0), layer('b', 1)], 'a');
    const handle = { name: 'h', indices: Uint32Array.from([0, 1]) };
    expect(session.centroid(handle)[0]).toBeCloseTo(0.5, 6);
    const start = performance.now();
    session.setCurrentLayer('b');
    session.advance(start + TRANSITION_MS / 2);
    expect(session.centroid(handle)[0]).toBeCloseTo(1.0, 1);
    session.advance(start + TRANSITION_MS * 2);
    expect(session.centroid(handle)[0]).toBeCloseTo(1.5, 6);
  });

  test('a layer of another dimension switches at once', () => {
    const session = new TourSession();
    const wide = { name: 'w', points: new Float32Array(4 * 5), n: 4, dims: 5 };
    session.setLayers([layer('a', 0), wide], 'a');
    session.setCurrentLayer('w');
    expect(session.transitioning).toBe(false);
    expect(session.basis(performance.now()).length).toBe(5 * 3);
  });
});
