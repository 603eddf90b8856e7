import { WireFormatError } from '../core/codec';
import { decodeSimilarity } from './similarity';
import { decodeEpochs, decodeLayers } from './traits';

function points(n: number, d: number, fill = 0) {
  const data = new Float32Array(n * d).fill(fill);
  return { view: new DataView(data.buffer), dtype: 'float32', shape: [n, d] };
}

const wireLayer = (name: string, epoch?: string, fill = 0) =>
  epoch === undefined ? { name, points: points(3, 2, fill) } : { name, epoch, points: points(3, 2, fill) };

describe('epochs on the wire', () => {
  test('layers come back epoch by epoch, each knowing its epoch', () => {
    const wire = [wireLayer('a', 'late', 1), wireLayer('b', 'late', 1), wireLayer('a', 'early'), wireLayer('b', 'early')];
    const layers = decodeLayers(wire, ['early', 'late']);
    expect(layers.map((l) => `${l.epoch}/${l.name}`)).toEqual(['early/a', 'early/b', 'late/a', 'late/b']);
    expect(layers[2].points[0]).toBe(1);
  });

  test('without epochs, layers are as before', () => {
    const layers = decodeLayers([wireLayer('a'), wireLayer('b')]);
    expect(layers.map((l) => l.name)).toEqual(['a', 'b']);
    expect(layers.every((l) => l.epoch === undefined)).toBe(true);
    expect(decodeLayers([wireLayer('a')], undefined).length).toBe(1);
  });

  test.each([
    ['epochs whose layer names differ', [wireLayer('a', '0'), wireLayer('b', '1')], ['0', '1']],
    ['an epoch that _epochs does not list', [wireLayer('a', '0'), wireLayer('a', '2')], ['0', '1']],
    ['a layer with an epoch but no _epochs', [wireLayer('a', '0')], []],
    ['an epoch that is not a string', [{ name: 'a', epoch: 3, points: points(3, 2) }], ['3']],
  ])('%s is a WireFormatError', (_what, wire, epochs) => {
    expect(() => decodeLayers(wire, epochs)).toThrow(WireFormatError);
  });

  test('_epochs must be a list of strings', () => {
    expect(decodeEpochs(undefined)).toEqual([]);
    expect(() => decodeEpochs('e1')).toThrow(WireFormatError);
    expect(() => decodeEpochs([1, 2])).toThrow(WireFormatError);
  });
});

describe('similarity map traits', () => {
  const traits = (overrides: Record<string, unknown> = {}) => {
    const state: Record<string, unknown> = {
      _matrix: points(2, 3, 0.5),
      row_names: ['r1', 'r2'],
      col_names: ['c1', 'c2', 'c3'],
      _tours: ['L', 'R'],
      method: 'cka',
      title: 'T',
      ...overrides,
    };
    return (key: string) => state[key];
  };

  test('a (rows, cols) float32 matrix with a name per row and column', () => {
    const data = decodeSimilarity(traits());
    expect([data.rows, data.cols]).toEqual([2, 3]);
    expect(data.matrix[5]).toBe(0.5);
    expect(data.tours).toEqual(['L', 'R']);
    expect(decodeSimilarity(traits({ _tours: [] })).tours).toEqual([]);
  });

  test.each([
    ['too few row names', { row_names: ['r1'] }],
    ['too many column names', { col_names: ['a', 'b', 'c', 'd'] }],
    ['a float64 matrix', { _matrix: { view: new DataView(new ArrayBuffer(48)), dtype: 'float64', shape: [2, 3] } }],
    ['three tours', { _tours: ['a', 'b', 'c'] }],
    ['names that are not strings', { row_names: [1, 2] }],
  ])('rejects %s', (_what, overrides) => {
    expect(() => decodeSimilarity(traits(overrides))).toThrow(WireFormatError);
  });
});
