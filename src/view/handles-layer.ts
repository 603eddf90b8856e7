/**
 * Handles drawn over the plot: a ring at each handle's projected centroid, its name in a
 * text input (renaming edits text, never markup), and a × to delete it. Positions are set
 * every frame by the view; DOM nodes are made only when the list of handles changes.
 */
import { element } from './dom';
import type { HandleData } from './session';

export interface HandleCallbacks {
  hover(index: number | null): void;
  grab(index: number, event: PointerEvent): void;
  rename(index: number, name: string): void;
  remove(index: number): void;
}

interface HandleNode {
  root: HTMLDivElement;
  ring: HTMLDivElement;
  name: HTMLInputElement;
}

export class HandlesLayer {
  readonly container: HTMLDivElement;
  private nodes: HandleNode[] = [];
  private readonly abort = new AbortController();

  constructor(
    parent: HTMLElement,
    private readonly callbacks: HandleCallbacks,
  ) {
    this.container = element(parent.ownerDocument, 'div', 'grandtour-handles');
    parent.appendChild(this.container);
  }

  sync(handles: readonly HandleData[]): void {
    while (this.nodes.length > handles.length) this.nodes.pop()?.root.remove();
    while (this.nodes.length < handles.length) this.nodes.push(this.create(this.nodes.length));
    handles.forEach((handle, i) => {
      const input = this.nodes[i].name;
      // Never overwrite what someone is typing.
      if (input.ownerDocument.activeElement !== input && input.value !== handle.name) input.value = handle.name;
      input.size = Math.max(2, Math.min(24, input.value.length + 1));
      this.nodes[i].root.title = `${handle.name}: ${handle.indices.length} points (drag to steer)`;
    });
  }

  /** CSS pixels within the plot; hidden when off the plot. */
  place(index: number, x: number, y: number, visible: boolean): void {
    const node = this.nodes[index];
    if (!node) return;
    node.root.style.display = visible ? '' : 'none';
    node.root.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
  }

  ringOf(index: number): HTMLElement | undefined {
    return this.nodes[index]?.ring;
  }

  destroy(): void {
    this.abort.abort();
    this.container.remove();
  }

  private create(index: number): HandleNode {
    const doc = this.container.ownerDocument;
    const signal = this.abort.signal;
    const root = element(doc, 'div', 'grandtour-handle');
    const ring = element(doc, 'div', 'grandtour-handle-ring');
    const name = element(doc, 'input', 'grandtour-handle-name');
    name.type = 'text';
    name.spellcheck = false;
    name.setAttribute('aria-label', 'Handle name');
    const remove = element(doc, 'button', 'grandtour-handle-delete', '×');
    remove.type = 'button';
    remove.title = 'Delete handle';
    remove.setAttribute('aria-label', 'Delete handle');
    root.append(ring, name, remove);
    root.dataset.index = String(index);
    ring.addEventListener('pointerenter', () => this.callbacks.hover(index), { signal });
    ring.addEventListener('pointerleave', () => this.callbacks.hover(null), { signal });
    ring.addEventListener('pointerdown', (event) => this.callbacks.grab(index, event), { signal });
    remove.addEventListener('click', () => this.callbacks.remove(index), { signal });
    const commit = (): void => {
      const value = name.value.trim();
      if (value) this.callbacks.rename(index, value);
    };
    name.addEventListener('change', commit, { signal });
    name.addEventListener(
      'keydown',
      (event) => {
        // Typing a name must not reach the widget's shortcuts or the notebook's.
        event.stopPropagation();
        if (event.key === 'Enter' || event.key === 'Escape') name.blur();
      },
      { signal },
    );
    this.container.appendChild(root);
    return { root, ring, name };
  }
}
