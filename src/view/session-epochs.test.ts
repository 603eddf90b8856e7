import { TourSession } from './session';

function layer(name: string, epoch: string | undefined, shift: number) {
  const points = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => (i % 3 === 0 ? v + shift : v)));
  return epoch === undefined ? { name, points, n: 4, dims: 3 } : { name, points, n: 4, dims: 3, epoch };
}

function grid(): ReturnType<typeof layer>[] {
  return ['0', '1', '2'].flatMap((epoch, e) => ['a', 'b'].map((name, k) => layer(name, epoch, e + 10 * k)));
}

describe('epochs in the session', () => {
  test('a layer is (epoch, name): the same name shows per epoch', () => {
    const session = new TourSession();
    session.setLayers(grid(), 'b', '1');
    expect(session.epochs).toEqual(['0', '1', '2']);
    expect(session.layer?.epoch).toBe('1');
    expect(session.layer?.name).toBe('b');
    expect(session.epochLayers.map((l) => l.name)).toEqual(['a', 'b']);
    // Centroids differ between epochs of the same layer name (no cache collision).
    const handle = { name: 'h', indices: Uint32Array.from([0, 1]) };
    const inEpoch1 = session.centroid(handle)[0];
    session.setCurrentEpoch('2');
    session.advance(performance.now() + 10_000);
    expect(session.centroid(handle)[0]).toBeCloseTo(inEpoch1 + 1, 6);
  });

  test('switching epochs animates like a layer switch and keeps the orientation', () => {
    const session = new TourSession();
    session.setLayers(grid(), 'a', '0');
    session.setPlaying(false);
    const before = Float64Array.from(session.basis(performance.now()));
    const orientation = (session as unknown as { orientation: unknown }).orientation;
    session.setCurrentEpoch('2');
    expect(session.transitioning).toBe(true);
    expect(session.currentEpoch).toBe('2');
    expect(session.currentLayer).toBe('a');
    const after = session.basis(performance.now());
    expect((session as unknown as { orientation: unknown }).orientation).toBe(orientation);
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 9));
  });

  test('an unknown epoch or name is ignored', () => {
    const session = new TourSession();
    session.setLayers(grid(), 'a', 'nope');
    expect(session.currentEpoch).toBe('0');
    session.setCurrentEpoch('9');
    expect(session.currentEpoch).toBe('0');
    session.setCurrentLayer('zz');
    expect(session.currentLayer).toBe('a');
  });

  test('without epochs nothing changes', () => {
    const session = new TourSession();
    session.setLayers([layer('a', undefined, 0), layer('b', undefined, 1)], 'b');
    expect(session.epochs).toEqual([]);
    expect(session.currentEpoch).toBe('');
    expect(session.layer?.name).toBe('b');
    expect(session.epochLayers.length).toBe(2);
  });

  test('a layer asked for from outside reaches the adapters; marks are kept', () => {
    const session = new TourSession();
    session.setLayers(grid(), 'a', '0');
    const heard: string[] = [];
    session.layerListeners.add((name) => heard.push(name));
    session.requestLayer('b');
    session.requestLayer('missing');
    expect(heard).toEqual(['b']);
    expect(session.currentLayer).toBe('b');
    session.setMarkedLayers(['a', 'b']);
    expect(session.markedLayers).toEqual(['a', 'b']);
  });
});
