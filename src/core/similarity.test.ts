import { cellMarks, cellRequests, domainPosition, formatSimilarity, methodName, similarityDomain } from './similarity';

describe('similarity map arithmetic', () => {
  test('the domain is [0, 1] unless the values leave it; NaN is ignored', () => {
    expect(similarityDomain(Float32Array.from([0.2, 0.9, NaN]))).toEqual([0, 1]);
    expect(similarityDomain([-0.5, 2])).toEqual([-0.5, 2]);
    expect(similarityDomain([])).toEqual([0, 1]);
  });

  test('positions in the domain', () => {
    expect(domainPosition(0.25, [0, 1])).toBe(0.25);
    expect(domainPosition(0, [-1, 1])).toBe(0.5);
    expect(domainPosition(NaN, [0, 1])).toBeNaN();
    expect(domainPosition(3, [3, 3])).toBe(0.5);
  });

  test('text', () => {
    expect(formatSimilarity(0.87654)).toBe('0.877');
    expect(formatSimilarity(NaN)).toBe('n/a');
    expect(methodName('cka')).toBe('linear CKA');
    expect(methodName('nuclear')).toMatch(/nuclear/);
    expect(methodName('other')).toBe('other');
  });

  test('two tours: the row tour gets the row layer, the column tour the column layer', () => {
    expect(cellRequests(['L', 'R'], 'fc1', 'fc2')).toEqual([
      { uid: 'L', layer: 'fc1' },
      { uid: 'R', layer: 'fc2' },
    ]);
    expect([...cellMarks(['L', 'R'], 'fc1', 'fc2')]).toEqual([
      ['L', ['fc1']],
      ['R', ['fc2']],
    ]);
  });

  test('one tour against itself: both layers marked in it, the switch ends on the column', () => {
    expect(cellRequests(['T', 'T'], 'a', 'b').map((r) => r.layer)).toEqual(['a', 'b']);
    expect([...cellMarks(['T', 'T'], 'a', 'b')]).toEqual([['T', ['a', 'b']]]);
  });

  test('no tours: nothing to do', () => {
    expect(cellRequests([], 'a', 'b')).toEqual([]);
    expect(cellMarks([], 'a', 'b').size).toBe(0);
  });
});
