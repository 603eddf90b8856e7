/**
 * The class legend: a swatch and a name per class. Hover shows only that class, click
 * hides or shows it, the ◎ button adds or removes the class's handle. With many classes a
 * filter box narrows the list by typing. Names go in as text, never markup.
 */
import { hexColor } from '../core/palette';
import { element } from './dom';

export interface LegendCallbacks {
  hover(code: number | null): void;
  toggle(code: number): void;
  toggleHandle(code: number): void;
}

/** Above this many classes the legend gets a filter box. */
const FILTER_FROM = 12;

export class Legend {
  private readonly list: HTMLDivElement;
  private readonly filter: HTMLInputElement;
  private items: HTMLDivElement[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: LegendCallbacks,
  ) {
    const doc = container.ownerDocument;
    this.filter = element(doc, 'input', 'grandtour-legend-filter');
    this.filter.type = 'search';
    this.filter.placeholder = 'Filter classes';
    this.filter.setAttribute('aria-label', 'Filter classes');
    this.list = element(doc, 'div', 'grandtour-legend-list');
    const signal = this.abort.signal;
    this.filter.addEventListener('input', () => this.applyFilter(), { signal });
    this.filter.addEventListener('keydown', (event) => event.stopPropagation(), { signal });
  }

  render(names: readonly string[], rgb: Uint8Array): void {
    const doc = this.container.ownerDocument;
    const signal = this.abort.signal;
    this.container.replaceChildren();
    this.list.replaceChildren();
    if (names.length === 0) return;
    if (names.length > FILTER_FROM) this.container.appendChild(this.filter);
    this.container.appendChild(this.list);
    this.items = names.map((name, code) => {
      const item = element(doc, 'div', 'grandtour-legend-item');
      item.dataset.code = String(code);
      item.title = `${name} (click to hide or show)`;
      const swatch = element(doc, 'span', 'grandtour-swatch');
      swatch.style.background = hexColor(rgb, code);
      const label = element(doc, 'span', 'grandtour-legend-name', name);
      const handle = element(doc, 'button', 'grandtour-legend-handle', '◎');
      handle.type = 'button';
      handle.title = `Handle for ${name}`;
      handle.setAttribute('aria-label', `Handle for ${name}`);
      item.append(swatch, label, handle);
      item.addEventListener('pointerenter', () => this.callbacks.hover(code), { signal });
      item.addEventListener('pointerleave', () => this.callbacks.hover(null), { signal });
      item.addEventListener(
        'click',
        (event) => {
          if ((event.target as HTMLElement).closest('.grandtour-legend-handle')) return;
          this.callbacks.toggle(code);
        },
        { signal },
      );
      handle.addEventListener('click', () => this.callbacks.toggleHandle(code), { signal });
      this.list.appendChild(item);
      return item;
    });
    this.applyFilter();
  }

  /** Mark hidden classes and classes with a handle. */
  mark(hidden: ReadonlySet<number>, withHandle: ReadonlySet<number>): void {
    this.items.forEach((item, code) => {
      item.classList.toggle('grandtour-hidden', hidden.has(code));
      item.classList.toggle('grandtour-has-handle', withHandle.has(code));
    });
  }

  destroy(): void {
    this.abort.abort();
    this.container.replaceChildren();
  }

  private applyFilter(): void {
    const query = this.filter.value.trim().toLowerCase();
    for (const item of this.items) {
      const name = item.textContent ?? '';
      item.style.display = !query || name.toLowerCase().includes(query) ? '' : 'none';
    }
  }
}
