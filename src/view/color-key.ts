/**
 * The colour key, above the class legend: for a value scale (a continuous attribute,
 * movement, difference) a viridis bar with the attribute's name and its range; for
 * categories (categorical, ordinal) a swatch per category. When the points are coloured by
 * something other than their class, a note over the class legend says its swatches are not
 * the colours shown (the legend still hides classes and makes class handles). Text only
 * ever goes in through textContent.
 */
import { hexColor } from '../core/palette';
import { MISSING_RGB, viridisStops } from '../core/colormap';
import { formatValue, type ColorKey } from './color-by';
import { element } from './dom';

const STYLE_ID = 'grandtour-color-key-style';

const CSS = `
.grandtour-legend.grandtour-legend-keyed { flex: 0 0 150px; width: 150px; max-width: 150px; box-sizing: border-box; }
.grandtour-color-key { margin-bottom: 8px; }
.grandtour-color-key[data-kind=label] { display: none; }
.grandtour-key-title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.grandtour-key-bar { height: 10px; border-radius: 2px; margin: 3px 0 1px; min-width: 80px; }
.grandtour-key-range { display: flex; justify-content: space-between; gap: 8px; font-variant-numeric: tabular-nums; }
.grandtour-key-note { opacity: 0.7; font-size: 11px; }
.grandtour-key-item { display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.grandtour-key-swatch { flex: 0 0 auto; width: 10px; height: 10px; border-radius: 50%; }
.grandtour-key-missing { display: flex; align-items: center; gap: 6px; margin-top: 2px; }
.grandtour-legend-note { opacity: 0.7; font-size: 11px; margin-bottom: 2px; }
.grandtour-legend-muted .grandtour-swatch { opacity: 0.3; }
.grandtour-toolbar select.grandtour-color-by { font: inherit; height: 24px; max-width: 140px; border: 1px solid var(--jp-border-color1, #bbb);
  background: var(--jp-layout-color1, #fff); color: inherit; border-radius: 3px; }
`;

/** Above this many categories the key lists the first ones and says how many more there are. */
const MAX_LISTED = 40;

function ensureKeyStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

export class ColorKeyView {
  /** The key itself: a bar or swatches (hidden while colouring by class). */
  readonly box: HTMLDivElement;
  /** Over the class legend: shown when the class swatches are not the colours on screen. */
  readonly legendNote: HTMLDivElement;
  private shown: ColorKey | null = null;

  constructor(doc: Document) {
    ensureKeyStyles(doc);
    this.box = element(doc, 'div', 'grandtour-color-key');
    this.box.dataset.kind = 'label';
    this.box.setAttribute('aria-live', 'polite');
    this.legendNote = element(doc, 'div', 'grandtour-legend-note');
    this.legendNote.style.display = 'none';
  }

  /** Show `key` (nothing is rebuilt if it is the key already shown). */
  render(key: ColorKey, classLegend: HTMLElement | null): void {
    const coloured = key.kind !== 'label';
    classLegend?.classList.toggle('grandtour-legend-muted', coloured);
    // Without labels the class legend is empty, and there is nothing to explain.
    const classes = classLegend !== null && classLegend.childElementCount > 0;
    this.legendNote.style.display = coloured && classes ? '' : 'none';
    if (key === this.shown) return;
    this.shown = key;
    const doc = this.box.ownerDocument;
    this.box.dataset.kind = key.kind === 'label' ? 'label' : key.kind === 'range' ? 'range' : key.ordinal ? 'ordinal' : 'categorical';
    this.box.replaceChildren();
    delete this.box.dataset.min;
    delete this.box.dataset.max;
    if (key.kind === 'label') return;
    this.legendNote.textContent = `Classes (the points show ${key.title}, not these colours)`;
    this.box.appendChild(element(doc, 'div', 'grandtour-key-title', key.title));
    this.box.title = key.title;
    if (key.kind === 'range') {
      const bar = element(doc, 'div', 'grandtour-key-bar');
      bar.style.background = `linear-gradient(to right, ${viridisStops(9).join(', ')})`;
      const range = element(doc, 'div', 'grandtour-key-range');
      range.append(element(doc, 'span', 'grandtour-key-min', formatValue(key.min)), element(doc, 'span', 'grandtour-key-max', formatValue(key.max)));
      this.box.append(bar, range);
      this.box.dataset.min = String(key.min);
      this.box.dataset.max = String(key.max);
      if (key.missing) this.box.appendChild(missingRow(doc));
      if (key.note) this.box.appendChild(element(doc, 'div', 'grandtour-key-note', key.note));
      return;
    }
    if (key.ordinal && key.names.length > 1) {
      this.box.appendChild(element(doc, 'div', 'grandtour-key-note', 'ordered, low to high'));
    }
    key.names.slice(0, MAX_LISTED).forEach((name, code) => {
      const item = element(doc, 'div', 'grandtour-key-item');
      item.title = name;
      const swatch = element(doc, 'span', 'grandtour-key-swatch');
      swatch.style.background = hexColor(key.rgb, code);
      item.append(swatch, element(doc, 'span', 'grandtour-key-name', name));
      this.box.appendChild(item);
    });
    if (key.names.length > MAX_LISTED) {
      this.box.appendChild(element(doc, 'div', 'grandtour-key-note', `… and ${key.names.length - MAX_LISTED} more`));
    }
  }
}

function missingRow(doc: Document): HTMLDivElement {
  const row = element(doc, 'div', 'grandtour-key-missing');
  const swatch = element(doc, 'span', 'grandtour-key-swatch');
  swatch.style.background = `rgb(${MISSING_RGB.join(', ')})`;
  row.append(swatch, element(doc, 'span', '', 'missing'));
  return row;
}
