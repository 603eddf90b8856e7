/**
 * The standalone host: published HTML pages with no Jupyter, no kernel and no network.
 *
 * A page carries its tours' saved state in `<script type="application/json"
 * class="grandtour-state">` blocks and one `<div data-grandtour-model="id">` per view.
 * This module keeps a registry of models over plain state (buffers decoded from base64,
 * optionally deflated, into DataViews), applies the saved links between them (ipywidgets'
 * `jslink`/`jsdlink`), and mounts each div with the same `bindTour` the notebook hosts use.
 * Changes made in the page (a lasso, a pause, a drag) stay in the page's models.
 */
import type { AnyModel } from '@anywidget/types';
import { bindWidget } from '../widget/render';
import type { TourTraits } from '../widget/traits';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- anywidget's own EventHandler type
type Callback = (...args: any[]) => void;
type Path = (string | number)[];

/** One binary buffer of a model's state, placed at `path` (as ipywidgets' buffer paths). */
export interface SavedBuffer {
  path: Path;
  data: string;
  /**
   * 'base64' (default); 'deflate-base64': zlib-compressed, then base64; 'delta32-deflate-base64':
   * uint32 values stored as differences from the previous one (modulo 2³²), then as deflate.
   */
  encoding?: 'base64' | 'deflate-base64' | 'delta32-deflate-base64';
}

export interface SavedModel {
  state: Record<string, unknown>;
  buffers?: SavedBuffer[];
}

/** A trait kept equal across two models: `source` → `target`, and back unless directional. */
export interface SavedLink {
  source: [string, string];
  target: [string, string];
  directional?: boolean;
}

export interface SavedPage {
  version: number;
  models: Record<string, SavedModel>;
  links?: SavedLink[];
}

export const STATE_SELECTOR = 'script.grandtour-state';
export const VIEW_SELECTOR = '[data-grandtour-model]';

/** A widget model over plain state: what anywidget's model proxy offers, and no more. */
export class PlainModel implements AnyModel<TourTraits> {
  /** How many times a view asked to sync; nothing is sent anywhere. */
  saves = 0;
  readonly widget_manager: { get_model: <T extends Record<string, unknown>>(id: string) => Promise<AnyModel<T>> };
  private readonly listeners = new Map<string, Callback[]>();

  constructor(
    readonly id: string,
    private readonly state: Record<string, unknown>,
    registry: ModelRegistry,
  ) {
    this.widget_manager = {
      get_model: async <T extends Record<string, unknown>>(modelId: string) => {
        const model = registry.get(modelId);
        if (!model) throw new Error(`[grandtour] no model ${modelId} on this page`);
        return model as unknown as AnyModel<T>;
      },
    };
  }

  get<K extends keyof TourTraits>(key: K): TourTraits[K] {
    return this.state[key as string] as TourTraits[K];
  }

  set<K extends keyof TourTraits>(key: K, value: TourTraits[K]): void {
    if (this.state[key as string] === value) return;
    this.state[key as string] = value;
    this.emit(`change:${String(key)}`);
    this.emit('change');
  }

  on(eventName: string, callback: Callback): void {
    this.listeners.set(eventName, [...(this.listeners.get(eventName) ?? []), callback]);
  }

  off(eventName?: string | null, callback?: Callback | null): void {
    if (!eventName) {
      if (!callback) this.listeners.clear();
      else for (const [name, list] of this.listeners) this.listeners.set(name, list.filter((f) => f !== callback));
      return;
    }
    const list = this.listeners.get(eventName) ?? [];
    this.listeners.set(eventName, callback ? list.filter((f) => f !== callback) : []);
  }

  save_changes(): void {
    this.saves++;
  }

  send(): void {
    // No kernel: custom messages have nowhere to go.
  }

  private emit(eventName: string): void {
    for (const callback of (this.listeners.get(eventName) ?? []).slice()) callback();
  }
}

/** The page's models by id, and the links between them. */
export class ModelRegistry {
  readonly models = new Map<string, PlainModel>();

  get(id: string): PlainModel | undefined {
    return this.models.get(id);
  }

  add(id: string, state: Record<string, unknown>): PlainModel {
    const model = new PlainModel(id, state, this);
    this.models.set(id, model);
    return model;
  }

  /** Keep `target`'s trait equal to `source`'s (both ways unless directional). */
  link(link: SavedLink): void {
    const [sourceId, sourceTrait] = link.source;
    const [targetId, targetTrait] = link.target;
    const source = this.get(sourceId);
    const target = this.get(targetId);
    if (!source || !target) return;
    type Key = keyof TourTraits;
    const copy = (from: PlainModel, fromTrait: string, to: PlainModel, toTrait: string) => (): void =>
      to.set(toTrait as Key, from.get(fromTrait as Key));
    copy(source, sourceTrait, target, targetTrait)();
    source.on(`change:${sourceTrait}`, copy(source, sourceTrait, target, targetTrait));
    if (!link.directional) target.on(`change:${targetTrait}`, copy(target, targetTrait, source, sourceTrait));
  }

  /** Decode a saved page's models (buffers become DataViews) and apply its links. */
  async load(page: SavedPage): Promise<void> {
    const entries = Object.entries(page.models ?? {});
    const decoded = await Promise.all(entries.map(async ([id, saved]) => [id, await decodeState(saved)] as const));
    for (const [id, state] of decoded) this.add(id, state);
    for (const link of page.links ?? []) this.link(link);
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64.length; i++) table[BASE64.charCodeAt(i)] = i;
  return table;
})();

/** Base64 to bytes, without atob's detour through a binary string (tours can be megabytes). */
export function decodeBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text[end - 1] === '=') end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? LOOKUP[code] : -1;
    if (digit < 0) {
      if (code === 10 || code === 13 || code === 32) continue;
      throw new Error(`[grandtour] saved state: a buffer is not base64 (character ${i})`);
    }
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 255;
    }
  }
  return o === out.length ? out : out.subarray(0, o);
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('[grandtour] this browser cannot decompress the saved tour (no DecompressionStream)');
  }
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Running sums of little-endian uint32 differences, wrapping modulo 2³² as they were made. */
export function undoDelta32(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength % 4 !== 0) throw new Error('[grandtour] saved state: a delta-coded buffer is not whole uint32s');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = 0;
  for (let i = 0; i < bytes.byteLength; i += 4) {
    sum = (sum + view.getUint32(i, true)) >>> 0;
    view.setUint32(i, sum, true);
  }
  return bytes;
}

async function decodeState(saved: SavedModel): Promise<Record<string, unknown>> {
  const state = saved.state ?? {};
  for (const buffer of saved.buffers ?? []) {
    let bytes = decodeBase64(buffer.data);
    const encoding = buffer.encoding ?? 'base64';
    if (encoding === 'deflate-base64' || encoding === 'delta32-deflate-base64') bytes = await inflate(bytes);
    else if (encoding !== 'base64') {
      throw new Error(`[grandtour] saved state: unknown buffer encoding ${JSON.stringify(encoding)}`);
    }
    if (encoding === 'delta32-deflate-base64') bytes = undoDelta32(bytes);
    placeAt(state, buffer.path, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return state;
}

function placeAt(state: Record<string, unknown>, path: Path, value: DataView): void {
  if (!Array.isArray(path) || path.length === 0) throw new Error('[grandtour] saved state: a buffer has no path');
  let node: unknown = state;
  for (let k = 0; k < path.length - 1; k++) {
    node = (node as Record<string | number, unknown> | null)?.[path[k]];
    if (node === null || typeof node !== 'object') {
      throw new Error(`[grandtour] saved state: buffer path ${JSON.stringify(path)} does not exist`);
    }
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function showError(el: HTMLElement, message: string): void {
  const box = el.ownerDocument.createElement('div');
  box.className = 'grandtour-error';
  box.setAttribute('role', 'alert');
  box.textContent = message;
  el.replaceChildren(box);
  el.dataset.grandtourStatus = 'error';
  console.error(message);
}

export interface Page {
  registry: ModelRegistry;
  /** Unmount every view this boot mounted. */
  destroy(): void;
}

/** Load every state block of `doc` and mount every `[data-grandtour-model]` element. */
export async function boot(doc: Document = document, registry = new ModelRegistry()): Promise<Page> {
  const failures: string[] = [];
  for (const script of Array.from(doc.querySelectorAll<HTMLScriptElement>(STATE_SELECTOR))) {
    try {
      await registry.load(JSON.parse(script.textContent ?? '') as SavedPage);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  const cleanups: (() => void)[] = [];
  for (const el of Array.from(doc.querySelectorAll<HTMLElement>(VIEW_SELECTOR))) {
    if (el.dataset.grandtourStatus === 'mounted') continue;
    const id = el.dataset.grandtourModel ?? '';
    const model = registry.get(id);
    if (!model) {
      showError(el, failures[0] ?? `[grandtour] the saved state has no tour ${JSON.stringify(id)}`);
      continue;
    }
    try {
      cleanups.push(bindWidget(model, el));
      el.dataset.grandtourStatus = 'mounted';
    } catch (error) {
      showError(el, error instanceof Error ? error.message : String(error));
    }
  }
  return {
    registry,
    destroy: () => cleanups.splice(0).forEach((cleanup) => cleanup()),
  };
}

declare global {
  interface Window {
    /** The published page, for readers who want the selection from the console. */
    grandtour?: { ready: Promise<Page> };
  }
}

if (typeof document !== 'undefined' && document.querySelector(STATE_SELECTOR)) {
  window.grandtour = { ready: boot(document) };
}
