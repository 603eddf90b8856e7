/**
 * State shared by every grandtour view on the page. anywidget imports each widget's ES
 * module from its own Blob URL, so two Tours run two instances of this bundle: plain
 * module-level variables would give each its own WebGL context, frame loop and registry,
 * and tours could neither link nor share the page's one context. Everything page-wide
 * therefore lives on globalThis, under a key that includes the version, so bundles of
 * different versions on one page keep apart.
 */
const KEY = '__grandtour_0.1.0__';

type Store = Record<string, unknown>;

export function pageShared<T>(name: string, make: () => T): T {
  const root = globalThis as unknown as Record<string, Store | undefined>;
  const store = (root[KEY] ??= {});
  if (!(name in store)) store[name] = make();
  return store[name] as T;
}
