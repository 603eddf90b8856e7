import { SampleOrder } from './sample-order';

function isPermutationPrefix(values: Uint32Array, n: number): boolean {
  const seen = new Uint8Array(n);
  for (const v of values) {
    if (v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

describe('SampleOrder', () => {
  it('grows a prefix of distinct indices, unchanged as it grows', () => {
    const order = new SampleOrder(1000);
    expect(order.extend(10)).toBe(0);
    const first = Array.from(order.prefix.subarray(0, 10));
    expect(order.extend(50)).toBe(10);
    expect(Array.from(order.prefix.subarray(0, 10))).toEqual(first);
    expect(isPermutationPrefix(order.prefix.subarray(0, 50), 1000)).toBe(true);
  });

  it('becomes a full permutation, through the dense mode', () => {
    const order = new SampleOrder(5000);
    order.extend(100);
    order.extend(700);
    order.extend(5000);
    expect(order.length).toBe(5000);
    expect(isPermutationPrefix(order.prefix.subarray(0, 5000), 5000)).toBe(true);
  });

  it('is the same order whether grown in one step or many', () => {
    const a = new SampleOrder(20_000);
    a.extend(3000);
    const b = new SampleOrder(20_000);
    for (let k = 100; k <= 3000; k += 700) b.extend(k);
    b.extend(3000);
    expect(Array.from(b.prefix.subarray(0, 3000))).toEqual(Array.from(a.prefix.subarray(0, 3000)));
  });

  it('draws a fair sample: each class near its share', () => {
    const n = 100_000;
    const order = new SampleOrder(n);
    order.extend(10_000);
    const counts = new Array(10).fill(0);
    // Points sorted by class, as activations often are.
    for (const p of order.prefix.subarray(0, 10_000)) counts[Math.floor(p / 10_000)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('costs little for a small sample of a large cloud', () => {
    const order = new SampleOrder(1_000_000);
    const t = performance.now();
    order.extend(10_000);
    expect(performance.now() - t).toBeLessThan(100);
    expect(isPermutationPrefix(order.prefix.subarray(0, 10_000), 1_000_000)).toBe(true);
  });
});
