/**
 * Small DOM helpers. User text (labels, names) only ever goes in through textContent.
 */
const STYLE_ID = 'grandtour-style';

const CSS = `
.grandtour { position: relative; display: flex; box-sizing: border-box; width: 100%; outline: none;
  font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif);
  color: var(--jp-ui-font-color1, #222); background: var(--jp-layout-color0, #fff);
  border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; overflow: hidden; user-select: none; }
.grandtour:focus-visible { border-color: var(--jp-brand-color1, #4e79a7); }
.grandtour-plot { position: relative; flex: 1 1 auto; min-width: 120px; touch-action: none; cursor: crosshair; }
.grandtour-canvas, .grandtour-overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.grandtour-overlay { pointer-events: none; }
.grandtour-lasso { fill: rgba(78, 121, 167, 0.12); stroke: var(--jp-brand-color1, #4e79a7); stroke-width: 1.5; stroke-dasharray: 4 3; }
.grandtour-toolbar { position: absolute; left: 8px; top: 8px; display: flex; gap: 6px; align-items: center;
  /* A narrow view (each side of a comparison) wraps the controls instead of running into the legend. */
  flex-wrap: wrap; max-width: calc(100% - 16px); box-sizing: border-box;
  background: var(--jp-layout-color0, rgba(255,255,255,0.85)); border-radius: 4px; padding: 2px 4px; cursor: default; }
.grandtour-toolbar button { font: inherit; min-width: 28px; height: 24px; border: 1px solid var(--jp-border-color1, #bbb);
  background: var(--jp-layout-color1, #fff); color: inherit; border-radius: 3px; cursor: pointer; }
.grandtour-toolbar input[type=range] { width: 80px; }
.grandtour-count { opacity: 0.75; }
.grandtour-legend { flex: 0 0 auto; max-width: 180px; min-width: 90px; overflow-y: auto; padding: 8px 8px 8px 4px;
  border-left: 1px solid var(--jp-border-color2, #e0e0e0); }
.grandtour-legend:empty { display: none; }
.grandtour-legend-item { display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.grandtour-swatch { flex: 0 0 auto; width: 10px; height: 10px; border-radius: 50%; }
.grandtour-plot.grandtour-panning { cursor: grab; }
.grandtour-toolbar button[aria-pressed=true] { background: var(--jp-brand-color3, #dbe6f1); border-color: var(--jp-brand-color1, #4e79a7); }
.grandtour-handles { position: absolute; left: 0; top: 0; width: 0; height: 0; }
.grandtour-handle { position: absolute; left: 0; top: 0; display: flex; align-items: center; gap: 2px; pointer-events: none; }
.grandtour-handle-ring { pointer-events: auto; width: 18px; height: 18px; margin: -9px 0 0 -9px; box-sizing: border-box; border-radius: 50%;
  border: 2px solid var(--jp-ui-font-color1, #222); background: rgba(255,255,255,0.55); cursor: grab; flex: 0 0 auto; }
.grandtour-handle-ring:hover { background: rgba(78,121,167,0.35); }
.grandtour-handle-name { pointer-events: auto; font: inherit; margin-top: -9px; padding: 0 3px; border: 1px solid transparent; border-radius: 3px;
  background: rgba(255,255,255,0.75); color: inherit; }
.grandtour-handle-name:focus { border-color: var(--jp-brand-color1, #4e79a7); outline: none; }
.grandtour-handle-delete { pointer-events: auto; margin-top: -9px; padding: 0 4px; border: none; background: transparent; color: inherit; cursor: pointer; opacity: 0.6; }
.grandtour-handle-delete:hover { opacity: 1; }
.grandtour-tooltip { position: absolute; left: 0; top: 0; pointer-events: none; display: flex; gap: 6px; align-items: center; padding: 4px 6px;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
.grandtour-tooltip-thumb { image-rendering: pixelated; }
.grandtour-help { position: absolute; right: 8px; top: 40px; padding: 8px 10px; background: var(--jp-layout-color0, #fff);
  border: 1px solid var(--jp-border-color1, #bbb); border-radius: 4px; box-shadow: 0 2px 8px rgba(0,0,0,0.2); cursor: default; }
.grandtour-help-title { font-weight: 600; margin-bottom: 4px; }
.grandtour-help-row { display: flex; gap: 8px; } .grandtour-help-row kbd { min-width: 64px; font-family: inherit; font-weight: 600; }
.grandtour-legend-filter { width: 100%; box-sizing: border-box; margin-bottom: 4px; font: inherit; }
.grandtour-legend-item { cursor: pointer; }
.grandtour-legend-item.grandtour-hidden { opacity: 0.35; }
.grandtour-legend-name { flex: 1 1 auto; overflow: hidden; text-overflow: ellipsis; }
.grandtour-legend-handle { border: none; background: transparent; color: inherit; cursor: pointer; opacity: 0.3; padding: 0 2px; }
.grandtour-legend-item:hover .grandtour-legend-handle, .grandtour-has-handle .grandtour-legend-handle { opacity: 1; }
.grandtour-error { position: absolute; inset: 0; display: none; padding: 16px; box-sizing: border-box; overflow: auto;
  color: var(--jp-error-color1, #b00020); background: var(--jp-layout-color0, #fff); white-space: pre-wrap; }
.grandtour-bottom { position: absolute; left: 8px; bottom: 8px; right: 8px; display: flex; flex-direction: column; gap: 4px; pointer-events: none; }
.grandtour-bottom > * { pointer-events: auto; }
.grandtour-layers { display: flex; flex-wrap: wrap; gap: 4px; cursor: default; }
.grandtour-epochs { align-self: flex-start; display: flex; align-items: center; gap: 6px; padding: 1px 6px; border-radius: 4px; cursor: default;
  background: var(--jp-layout-color0, rgba(255,255,255,0.85)); }
.grandtour-epochs input[type=range] { width: 160px; }
.grandtour-epoch-label { opacity: 0.75; }
.grandtour-epoch-name { font-weight: 600; min-width: 3ch; }
.grandtour-layer.grandtour-marked { box-shadow: 0 0 0 2px var(--jp-warn-color1, #f28e2b); }
.grandtour-layers:empty { display: none; }
.grandtour-layer { font: inherit; padding: 1px 6px; border: 1px solid var(--jp-border-color1, #bbb); border-radius: 10px;
  background: var(--jp-layout-color1, #fff); color: inherit; cursor: pointer; opacity: 0.85; }
.grandtour-layer[aria-pressed=true] { background: var(--jp-brand-color1, #4e79a7); border-color: var(--jp-brand-color1, #4e79a7); color: #fff; opacity: 1; }
.grandtour-lod { position: absolute; right: 8px; top: 8px; padding: 2px 6px; border-radius: 3px; font-size: 11px;
  background: var(--jp-warn-color3, #fff3cd); color: var(--jp-ui-font-color1, #5c4400); pointer-events: none; }
.grandtour-corner { position: absolute; right: 8px; top: 34px; display: flex; flex-direction: column; align-items: flex-end; gap: 4px; pointer-events: none; }
.grandtour-fps, .grandtour-centre { padding: 1px 6px; border-radius: 3px; font-size: 11px; font-variant-numeric: tabular-nums;
  background: var(--jp-layout-color0, rgba(255,255,255,0.85)); border: 1px solid var(--jp-border-color2, #e0e0e0); }
.grandtour-handle-ring.grandtour-centred { border-style: double; border-width: 4px; }
.grandtour[data-status=error] .grandtour-error { display: block; }
`;

export function ensureStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

export function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function svgElement<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, className: string): SVGElementTagNameMap[K] {
  const node = doc.createElementNS('http://www.w3.org/2000/svg', tag);
  node.setAttribute('class', className);
  return node;
}
