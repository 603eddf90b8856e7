/**
 * Layers over training epochs. On the wire a layer is identified by (epoch, name); without
 * epochs the epoch is '' and a layer is its name alone, exactly as before epochs existed.
 * Every epoch has the same layer names in the same order, so "the same layer in another
 * epoch" and "another layer in this epoch" are both always defined.
 */

/** What a layer needs for indexing: its name and its epoch ('' or absent: no epochs). */
export interface EpochLayer {
  name: string;
  epoch?: string;
}

/**
 * The key a layer is stored under (GPU scene, caches). Without an epoch it is the name, so
 * single-level tours keep the keys they always had; with one it cannot collide with a name.
 */
export function layerKey(layer: EpochLayer): string {
  return layer.epoch ? JSON.stringify([layer.epoch, layer.name]) : layer.name;
}

/** The layer called `name` in `epoch` ('' when there are no epochs). */
export function findLayer<L extends EpochLayer>(layers: readonly L[], epoch: string, name: string): L | undefined {
  return layers.find((l) => l.name === name && (l.epoch ?? '') === epoch);
}

/** The layers of one epoch, in order (all of them when there are no epochs). */
export function layersOfEpoch<L extends EpochLayer>(layers: readonly L[], epoch: string): L[] {
  return layers.filter((l) => (l.epoch ?? '') === epoch);
}

/** The epochs in order of first appearance ([] when there are none). */
export function epochsOf(layers: readonly EpochLayer[]): string[] {
  const seen: string[] = [];
  for (const l of layers) if (l.epoch && !seen.includes(l.epoch)) seen.push(l.epoch);
  return seen;
}

/**
 * The name `step` places away from `current` in `names`, clamped to the ends (a slider does
 * not wrap); `current` not found counts as the first.
 */
export function stepName(names: readonly string[], current: string, step: number): string | undefined {
  if (names.length === 0) return undefined;
  const at = Math.max(0, names.indexOf(current));
  return names[Math.min(names.length - 1, Math.max(0, at + step))];
}

/**
 * Check that layers with epochs form a full grid: each listed epoch has the same layer
 * names, in the same order, each once; and that layers without epochs have no epoch list.
 * Returns the layers ordered epoch by epoch (as `epochs` orders them), or a message saying
 * what is wrong.
 */
export function orderByEpoch<L extends EpochLayer>(
  layers: readonly L[],
  epochs: readonly string[],
): { layers: L[] } | { error: string } {
  if (epochs.length === 0) {
    const stray = layers.findIndex((l) => l.epoch !== undefined && l.epoch !== '');
    if (stray >= 0) return { error: `_layers[${stray}] has epoch ${JSON.stringify(layers[stray].epoch)} but _epochs is empty` };
    return { layers: [...layers] };
  }
  const unique = new Set(epochs);
  if (unique.size !== epochs.length) return { error: '_epochs: epoch names must be unique' };
  if (epochs.some((e) => e === '')) return { error: '_epochs: epoch names must not be empty' };
  const missing = layers.findIndex((l) => !l.epoch || !unique.has(l.epoch));
  if (missing >= 0) {
    const epoch = layers[missing].epoch;
    return {
      error:
        epoch === undefined || epoch === ''
          ? `_layers[${missing}] ("${layers[missing].name}") has no epoch, but _epochs is ${JSON.stringify(epochs)}`
          : `_layers[${missing}] has epoch ${JSON.stringify(epoch)}, which is not in _epochs ${JSON.stringify(epochs)}`,
    };
  }
  const names = (epoch: string): string[] => layersOfEpoch(layers, epoch).map((l) => l.name);
  const reference = names(epochs[0]);
  if (reference.length === 0) return { error: `_layers: epoch ${JSON.stringify(epochs[0])} has no layers` };
  if (new Set(reference).size !== reference.length) {
    return { error: `_layers: epoch ${JSON.stringify(epochs[0])} has a layer name twice (${JSON.stringify(reference)})` };
  }
  for (const epoch of epochs.slice(1)) {
    const these = names(epoch);
    if (these.length !== reference.length || these.some((name, i) => name !== reference[i])) {
      return {
        error:
          `_layers: every epoch needs the same layer names in the same order; epoch ${JSON.stringify(epochs[0])} has ` +
          `${JSON.stringify(reference)}, epoch ${JSON.stringify(epoch)} has ${JSON.stringify(these)}`,
      };
    }
  }
  return { layers: epochs.flatMap((epoch) => layersOfEpoch(layers, epoch)) };
}
