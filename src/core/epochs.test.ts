import { epochsOf, findLayer, layerKey, layersOfEpoch, orderByEpoch, stepName } from './epochs';

const grid = (epochs: string[], names: string[]) => epochs.flatMap((epoch) => names.map((name) => ({ name, epoch })));

describe('epoch indexing', () => {
  test('a layer without an epoch keeps its name as key; with one, keys never collide', () => {
    expect(layerKey({ name: 'fc1' })).toBe('fc1');
    expect(layerKey({ name: 'fc1', epoch: '' })).toBe('fc1');
    const keys = grid(['0', '1'], ['fc1', 'fc2']).map(layerKey);
    expect(new Set(keys).size).toBe(4);
    // Names and epochs holding quotes and commas cannot run into each other.
    expect(layerKey({ name: 'b', epoch: 'a","' })).not.toBe(layerKey({ name: '","b', epoch: 'a' }));
  });

  test('find a layer by (epoch, name) and list an epoch', () => {
    const layers = grid(['e1', 'e2'], ['a', 'b']);
    expect(findLayer(layers, 'e2', 'a')).toBe(layers[2]);
    expect(findLayer(layers, '', 'a')).toBeUndefined();
    expect(layersOfEpoch(layers, 'e1').map((l) => l.name)).toEqual(['a', 'b']);
    expect(epochsOf(layers)).toEqual(['e1', 'e2']);
    expect(epochsOf([{ name: 'a' }])).toEqual([]);
    expect(findLayer([{ name: 'a' }], '', 'a')).toEqual({ name: 'a' });
  });

  test('stepping clamps at both ends', () => {
    expect(stepName(['0', '1', '2'], '1', 1)).toBe('2');
    expect(stepName(['0', '1', '2'], '2', 1)).toBe('2');
    expect(stepName(['0', '1', '2'], '0', -1)).toBe('0');
    expect(stepName(['0', '1', '2'], 'missing', 1)).toBe('1');
    expect(stepName([], 'x', 1)).toBeUndefined();
  });
});

describe('checking the epoch grid', () => {
  test('orders layers epoch by epoch as _epochs says', () => {
    const layers = [...grid(['late'], ['a', 'b']), ...grid(['early'], ['a', 'b'])];
    const result = orderByEpoch(layers, ['early', 'late']);
    expect('layers' in result && result.layers.map(layerKey)).toEqual(grid(['early', 'late'], ['a', 'b']).map(layerKey));
  });

  test('without epochs everything passes through unchanged', () => {
    const layers = [{ name: 'a' }, { name: 'b' }];
    expect(orderByEpoch(layers, [])).toEqual({ layers });
  });

  test.each([
    ['a stray epoch without _epochs', [{ name: 'a', epoch: 'x' }], [], /_epochs is empty/],
    ['a layer without epoch', [{ name: 'a', epoch: '0' }, { name: 'a' }], ['0'], /has no epoch/],
    ['an unknown epoch', [{ name: 'a', epoch: '9' }], ['0'], /not in _epochs/],
    ['different names', [...grid(['0'], ['a', 'b']), ...grid(['1'], ['a', 'c'])], ['0', '1'], /same layer names/],
    ['different order', [...grid(['0'], ['a', 'b']), ...grid(['1'], ['b', 'a'])], ['0', '1'], /same order/],
    ['a missing layer', [...grid(['0'], ['a', 'b']), ...grid(['1'], ['a'])], ['0', '1'], /same layer names/],
    ['an empty epoch', grid(['1'], ['a']), ['0', '1'], /has no layers/],
    ['a repeated name', grid(['0'], ['a', 'a']), ['0'], /twice/],
    ['repeated epochs', grid(['0'], ['a']), ['0', '0'], /unique/],
  ])('rejects %s', (_what, layers, epochs, message) => {
    const result = orderByEpoch(layers as { name: string; epoch?: string }[], epochs as string[]);
    expect('error' in result && result.error).toMatch(message);
  });
});
