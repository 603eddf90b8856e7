/**
 * The layer-similarity map: a heatmap of how alike two models' layers are (rows: the first
 * tour's layers, columns: the second's). Hovering a cell marks the two layers in both tours'
 * layer strips; clicking shows them. It reaches the tours through the page-wide session
 * registry, never through a kernel, so it works in published pages; the tours' own bindings
 * then tell their models. A tour not (yet) shown on the page is waited for.
 */
import { viridis, viridisStops } from '../core/colormap';
import {
  cellMarks,
  cellRequests,
  domainPosition,
  formatSimilarity,
  methodName,
  similarityDomain,
} from '../core/similarity';
import { element } from './dom';
import { findSession, type TourSession } from './session';

export interface SimilarityData {
  /** rows × cols, row-major. */
  matrix: Float32Array;
  rows: number;
  cols: number;
  rowNames: string[];
  colNames: string[];
  /** [row tour uid, column tour uid]; [] when the map is tied to no tours. */
  tours: string[];
  method: string;
  title: string;
}

/** Above this many cells the values are left out of the cells (the tooltip has them). */
const VALUES_IN_CELLS_UP_TO = 144;
/** How often a map that waits for its tours looks for them (ms). */
const LOOK_EVERY_MS = 400;

const STYLE_ID = 'grandtour-map-style';
const CSS = `
.grandtour-map { position: relative; box-sizing: border-box; width: 100%; padding: 8px 10px; overflow: auto;
  font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222);
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; }
.grandtour-map-title { font-weight: 600; }
.grandtour-map-method { opacity: 0.75; margin-bottom: 6px; }
.grandtour-map-body { display: flex; align-items: flex-start; gap: 12px; }
.grandtour-map-grid { display: grid; gap: 1px; user-select: none; }
.grandtour-map-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 4px; align-self: center; max-width: 140px; }
.grandtour-map-colname { text-align: center; align-self: end; }
.grandtour-map-rowname { text-align: right; }
.grandtour-map-cell { min-width: 34px; height: 26px; display: flex; align-items: center; justify-content: center; cursor: pointer;
  font-size: 11px; box-sizing: border-box; border: 2px solid transparent; }
.grandtour-map-cell:hover, .grandtour-map-cell[data-hover=true] { border-color: var(--jp-ui-font-color1, #222); }
.grandtour-map-cell[data-current=true] { outline: 2px solid var(--jp-warn-color1, #f28e2b); outline-offset: -2px; }
.grandtour-map-name[data-marked=true] { font-weight: 600; }
.grandtour-map-scale { display: flex; align-items: stretch; gap: 4px; height: 120px; }
.grandtour-map-bar { width: 12px; border: 1px solid var(--jp-border-color2, #e0e0e0); }
.grandtour-map-ticks { display: flex; flex-direction: column; justify-content: space-between; font-size: 11px; }
.grandtour-map-status { margin-top: 6px; opacity: 0.8; font-style: italic; }
.grandtour-map-status:empty { display: none; }
.grandtour-map-axes { margin-top: 4px; opacity: 0.75; font-size: 11px; }
.grandtour-map-tooltip { position: absolute; pointer-events: none; padding: 4px 6px; white-space: nowrap; z-index: 2;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
.grandtour-map-error { color: var(--jp-error-color1, #b00020); white-space: pre-wrap; }
.grandtour-map-error:empty { display: none; }
`;

function ensureMapStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

export class SimilarityMapView {
  readonly root: HTMLDivElement;
  private readonly titleText: HTMLDivElement;
  private readonly methodText: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  private readonly bar: HTMLDivElement;
  private readonly ticks: HTMLDivElement;
  private readonly axes: HTMLDivElement;
  private readonly status: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private readonly errorBox: HTMLDivElement;
  private readonly abort = new AbortController();
  private data: SimilarityData | null = null;
  private cells: HTMLDivElement[] = [];
  private rowLabels: HTMLDivElement[] = [];
  private colLabels: HTMLDivElement[] = [];
  /** Sessions whose strips this map marked, to clear them again. */
  private marked = new Set<TourSession>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(host: HTMLElement) {
    const doc = host.ownerDocument;
    ensureMapStyles(doc);
    this.root = element(doc, 'div', 'grandtour-map');
    this.root.dataset.status = 'loading';
    this.titleText = element(doc, 'div', 'grandtour-map-title');
    this.methodText = element(doc, 'div', 'grandtour-map-method');
    this.grid = element(doc, 'div', 'grandtour-map-grid');
    this.grid.setAttribute('role', 'grid');
    this.grid.tabIndex = 0;
    this.grid.setAttribute('aria-label', 'Layer similarity: arrows move between cells, Enter shows both layers');
    const scale = element(doc, 'div', 'grandtour-map-scale');
    this.bar = element(doc, 'div', 'grandtour-map-bar');
    this.ticks = element(doc, 'div', 'grandtour-map-ticks');
    scale.append(this.bar, this.ticks);
    scale.setAttribute('aria-label', 'Colour scale');
    const body = element(doc, 'div', 'grandtour-map-body');
    body.append(this.grid, scale);
    this.axes = element(doc, 'div', 'grandtour-map-axes');
    this.status = element(doc, 'div', 'grandtour-map-status');
    this.status.setAttribute('role', 'status');
    this.tooltip = element(doc, 'div', 'grandtour-map-tooltip');
    this.tooltip.style.display = 'none';
    this.errorBox = element(doc, 'div', 'grandtour-map-error');
    this.errorBox.setAttribute('role', 'alert');
    this.root.append(this.titleText, this.methodText, body, this.axes, this.status, this.errorBox, this.tooltip);
    host.appendChild(this.root);

    const signal = this.abort.signal;
    this.grid.addEventListener('pointerover', (event) => this.hoverCell(this.cellOf(event.target), event), { signal });
    this.grid.addEventListener(
      'pointermove',
      (event) => {
        if (this.tooltip.style.display !== 'none') this.placeTooltip(event);
      },
      { signal },
    );
    this.grid.addEventListener('pointerleave', () => this.hoverCell(null, null), { signal });
    this.grid.addEventListener('keydown', (event) => this.onKeyDown(event), { signal });
    this.grid.addEventListener('blur', () => this.hoverCell(null, null), { signal });
    this.grid.addEventListener(
      'click',
      (event) => {
        const cell = this.cellOf(event.target);
        if (cell) this.clickCell(cell);
      },
      { signal },
    );
  }

  /** Show a (new) matrix with its names. */
  setData(data: SimilarityData): void {
    this.data = data;
    this.clearError();
    this.titleText.textContent = data.title;
    // The method's name, and what its ends mean (both measures ignore rotation and scale).
    this.methodText.textContent = `${methodName(data.method)} · 1: alike up to rotation and scale · 0: unrelated`;
    this.root.dataset.method = data.method;
    const doc = this.root.ownerDocument;
    const domain = similarityDomain(data.matrix);
    const showValues = data.rows * data.cols <= VALUES_IN_CELLS_UP_TO;
    this.grid.style.gridTemplateColumns = `auto repeat(${data.cols}, minmax(34px, 1fr))`;
    const children: HTMLElement[] = [element(doc, 'div', 'grandtour-map-corner')];
    this.colLabels = data.colNames.map((name, c) => {
      const label = element(doc, 'div', 'grandtour-map-name grandtour-map-colname', name);
      label.title = name;
      label.dataset.col = String(c);
      return label;
    });
    children.push(...this.colLabels);
    this.rowLabels = [];
    this.cells = [];
    for (let r = 0; r < data.rows; r++) {
      const name = data.rowNames[r];
      const label = element(doc, 'div', 'grandtour-map-name grandtour-map-rowname', name);
      label.title = name;
      label.dataset.row = String(r);
      this.rowLabels.push(label);
      children.push(label);
      for (let c = 0; c < data.cols; c++) {
        const value = data.matrix[r * data.cols + c];
        const cell = element(doc, 'div', 'grandtour-map-cell');
        cell.setAttribute('role', 'gridcell');
        cell.dataset.row = String(r);
        cell.dataset.col = String(c);
        cell.dataset.value = String(value);
        const t = domainPosition(value, domain);
        const [red, green, blue] = viridis(t);
        cell.style.background = `rgb(${red}, ${green}, ${blue})`;
        // Viridis is dark at the bottom, light at the top: the text takes the other end.
        cell.style.color = Number.isFinite(t) && t > 0.6 ? '#222' : '#fff';
        if (showValues) cell.textContent = formatSimilarity(value).replace(/^0\./, '.');
        cell.setAttribute('aria-label', `${name} × ${data.colNames[c]}: ${formatSimilarity(value)}`);
        this.cells.push(cell);
        children.push(cell);
      }
    }
    this.grid.replaceChildren(...children);
    this.bar.style.background = `linear-gradient(to top, ${viridisStops(9).join(', ')})`;
    this.ticks.replaceChildren(
      element(doc, 'span', 'grandtour-map-tick', formatSimilarity(domain[1])),
      element(doc, 'span', 'grandtour-map-tick', formatSimilarity((domain[0] + domain[1]) / 2)),
      element(doc, 'span', 'grandtour-map-tick', formatSimilarity(domain[0])),
    );
    this.axes.textContent =
      data.tours.length >= 2 ? 'rows: the first tour’s layers · columns: the second’s · click a cell to show both' : '';
    this.root.dataset.status = 'ready';
    this.lookForTours();
  }

  showError(message: string): void {
    this.root.dataset.status = 'error';
    this.errorBox.textContent = message;
    console.error(message);
  }

  clearError(): void {
    this.errorBox.textContent = '';
  }

  destroy(): void {
    this.abort.abort();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clearMarks();
    this.root.remove();
  }

  // -- the tours --------------------------------------------------------------------

  /** A tour is there once a view on this page shows it with its data. */
  private session(uid: string): TourSession | undefined {
    const session = findSession(uid);
    return session && session.layers.length > 0 ? session : undefined;
  }

  /** Say whether the tours are on the page; until they are, look again now and then. */
  private lookForTours(): void {
    const tours = this.data?.tours ?? [];
    const missing = tours.filter((uid, i) => tours.indexOf(uid) === i && !this.session(uid));
    if (tours.length < 2) {
      this.status.textContent = 'This map is not tied to tours: hover shows the values.';
      this.root.dataset.tours = 'none';
    } else if (missing.length > 0) {
      const which = missing.length === new Set(tours).size ? (tours[0] === tours[1] ? 'Its tour is' : 'Its tours are') : 'One of its tours is';
      this.status.textContent = `${which} not on this page yet: show ${missing.length > 1 ? 'them' : 'it'} and the map will switch their layers.`;
      this.root.dataset.tours = 'waiting';
    } else {
      this.status.textContent = '';
      this.root.dataset.tours = 'ready';
    }
    this.markCurrent();
    const waiting = this.root.dataset.tours !== 'none';
    // Keep looking while tied to tours: they can appear, go (a cell cleared) and come back,
    // and their layers can change from the strip or the kernel.
    if (waiting && this.timer === null) this.timer = setInterval(() => this.lookForTours(), LOOK_EVERY_MS);
    if (!waiting && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Outline the cell of the layers the tours show now. */
  private markCurrent(): void {
    const data = this.data;
    if (!data) return;
    const rowTour = data.tours[0] ? this.session(data.tours[0]) : undefined;
    const colTour = data.tours[1] ? this.session(data.tours[1]) : undefined;
    const r = rowTour ? data.rowNames.indexOf(rowTour.currentLayer) : -1;
    // One tour against itself shows one layer: the diagonal cell.
    const c = colTour ? data.colNames.indexOf(colTour.currentLayer) : -1;
    const current = r >= 0 && c >= 0 ? r * data.cols + c : -1;
    this.cells.forEach((cell, k) => {
      const is = k === current;
      if ((cell.dataset.current === 'true') !== is) {
        if (is) cell.dataset.current = 'true';
        else delete cell.dataset.current;
      }
    });
  }

  // -- pointer ------------------------------------------------------------------------

  private cellOf(target: EventTarget | null): HTMLDivElement | null {
    const cell = (target as HTMLElement | null)?.closest?.('.grandtour-map-cell');
    return cell instanceof HTMLElement && this.grid.contains(cell) ? (cell as HTMLDivElement) : null;
  }

  private where(cell: HTMLElement): { r: number; c: number; rowName: string; colName: string; value: number } | null {
    const data = this.data;
    if (!data) return null;
    const r = Number(cell.dataset.row);
    const c = Number(cell.dataset.col);
    return { r, c, rowName: data.rowNames[r], colName: data.colNames[c], value: data.matrix[r * data.cols + c] };
  }

  private hoverCell(cell: HTMLDivElement | null, event: PointerEvent | null): void {
    const at = cell ? this.where(cell) : null;
    this.rowLabels.forEach((label, r) => toggleData(label, 'marked', r === at?.r));
    this.colLabels.forEach((label, c) => toggleData(label, 'marked', c === at?.c));
    for (const other of this.cells) toggleData(other, 'hover', other === cell);
    if (!at || !this.data) {
      this.tooltip.style.display = 'none';
      this.clearMarks();
      return;
    }
    const doc = this.root.ownerDocument;
    this.tooltip.replaceChildren(
      element(doc, 'div', 'grandtour-map-tooltip-value', `${methodName(this.data.method)}: ${formatSimilarity(at.value)}`),
      element(doc, 'div', 'grandtour-map-tooltip-row', `row: ${at.rowName}`),
      element(doc, 'div', 'grandtour-map-tooltip-col', `column: ${at.colName}`),
    );
    this.tooltip.style.display = '';
    if (event) this.placeTooltip(event);
    else this.placeTooltipAt(cell as HTMLDivElement);
    this.lookForTours();
    const marks = cellMarks(this.data.tours, at.rowName, at.colName);
    const next = new Set<TourSession>();
    for (const [uid, names] of marks) {
      const session = this.session(uid);
      if (!session) continue;
      session.setMarkedLayers(names);
      next.add(session);
    }
    for (const session of this.marked) if (!next.has(session)) session.setMarkedLayers([]);
    this.marked = next;
  }

  /** Arrows walk the cells as hover does, Enter or space clicks, Escape leaves. */
  private onKeyDown(event: KeyboardEvent): void {
    const data = this.data;
    if (!data || data.rows * data.cols === 0 || event.ctrlKey || event.metaKey || event.altKey) return;
    const hovered = this.cells.findIndex((cell) => cell.dataset.hover === 'true');
    let r = hovered >= 0 ? Math.floor(hovered / data.cols) : 0;
    let c = hovered >= 0 ? hovered % data.cols : 0;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (event.key in moves) {
      if (hovered >= 0) {
        r = Math.min(data.rows - 1, Math.max(0, r + moves[event.key][0]));
        c = Math.min(data.cols - 1, Math.max(0, c + moves[event.key][1]));
      }
      this.hoverCell(this.cells[r * data.cols + c], null);
    } else if (event.key === 'Enter' || event.key === ' ') {
      const cell = this.cells[r * data.cols + c];
      if (hovered < 0) this.hoverCell(cell, null);
      this.clickCell(cell);
    } else if (event.key === 'Escape' && hovered >= 0) {
      this.hoverCell(null, null);
    } else {
      return;
    }
    // Handled here: JupyterLab's command-mode keys never see it.
    event.preventDefault();
    event.stopPropagation();
  }

  /** A tooltip for a cell reached by the keyboard: just below it. */
  private placeTooltipAt(cell: HTMLElement): void {
    const box = this.root.getBoundingClientRect();
    const rect = cell.getBoundingClientRect();
    this.tooltip.style.left = `${rect.left - box.left + this.root.scrollLeft}px`;
    this.tooltip.style.top = `${rect.bottom - box.top + this.root.scrollTop + 4}px`;
  }

  private placeTooltip(event: PointerEvent): void {
    const box = this.root.getBoundingClientRect();
    this.tooltip.style.left = `${event.clientX - box.left + this.root.scrollLeft + 12}px`;
    this.tooltip.style.top = `${event.clientY - box.top + this.root.scrollTop + 12}px`;
  }

  private clickCell(cell: HTMLDivElement): void {
    const at = this.where(cell);
    if (!at || !this.data) return;
    this.lookForTours();
    for (const { uid, layer } of cellRequests(this.data.tours, at.rowName, at.colName)) {
      this.session(uid)?.requestLayer(layer);
    }
    this.markCurrent();
  }

  private clearMarks(): void {
    for (const session of this.marked) session.setMarkedLayers([]);
    this.marked.clear();
  }
}

function toggleData(el: HTMLElement, key: string, on: boolean): void {
  if ((el.dataset[key] === 'true') === on) return;
  if (on) el.dataset[key] = 'true';
  else delete el.dataset[key];
}
