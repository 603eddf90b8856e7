/**
 * A random order of n points, drawn only as far as it is used. Level of detail draws the
 * first k indices of a fixed random order (a fair sample of any size k, the same points
 * from frame to frame), and k is usually small: shuffling all n indices up front took
 * 130 ms at 1M points, in the frame. This is a forward Fisher–Yates shuffle that stops
 * after the first k steps and remembers the positions it displaced in a Map, so growing
 * the prefix to k costs O(k) time and memory; past n/8 it turns into a dense array.
 */
import { createRandom } from '../core/random';

export class SampleOrder {
  /** The first `length` indices of the order; the array may be longer (capacity). */
  prefix: Uint32Array = new Uint32Array(0);
  length = 0;
  private readonly random: () => number;
  /** Values moved to positions ≥ length by a swap (sparse mode): position → index. */
  private displaced: Map<number, number> | null = new Map();
  /** The whole order (dense mode), once the prefix is a large share of n. */
  private dense: Uint32Array | null = null;

  constructor(readonly n: number, seed = n) {
    this.random = createRandom(seed);
  }

  /** Make the first k indices (k ≤ n) final; returns the position from which they changed. */
  extend(k: number): number {
    const from = this.length;
    k = Math.min(k, this.n);
    if (k <= from) return from;
    if (k > this.prefix.length) {
      const grown = new Uint32Array(Math.min(this.n, Math.max(k, 2 * this.prefix.length)));
      grown.set(this.prefix.subarray(0, from));
      this.prefix = grown;
    }
    if (!this.dense && k > this.n / 8) this.densify();
    const n = this.n;
    const dense = this.dense;
    if (dense) {
      for (let i = from; i < k; i++) {
        const j = i + Math.floor(this.random() * (n - i));
        const t = dense[j];
        dense[j] = dense[i];
        dense[i] = t;
        this.prefix[i] = t;
      }
    } else {
      const displaced = this.displaced as Map<number, number>;
      for (let i = from; i < k; i++) {
        const j = i + Math.floor(this.random() * (n - i));
        const atI = displaced.get(i) ?? i;
        const atJ = j === i ? atI : (displaced.get(j) ?? j);
        this.prefix[i] = atJ;
        if (j !== i) displaced.set(j, atI);
        displaced.delete(i);
      }
    }
    this.length = k;
    return from;
  }

  private densify(): void {
    const dense = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) dense[i] = i;
    dense.set(this.prefix.subarray(0, this.length));
    for (const [position, index] of this.displaced ?? []) dense[position] = index;
    this.dense = dense;
    this.displaced = null;
  }
}
