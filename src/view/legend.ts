/** The class legend: a swatch and a name per class, scrolling when there are many. */
import { hexColor } from '../core/palette';
import { element } from './dom';

export function renderLegend(container: HTMLElement, names: readonly string[], rgb: Uint8Array): void {
  container.replaceChildren();
  const doc = container.ownerDocument;
  names.forEach((name, code) => {
    const item = element(doc, 'div', 'grandtour-legend-item');
    const swatch = element(doc, 'span', 'grandtour-swatch');
    swatch.style.background = hexColor(rgb, code);
    const label = element(doc, 'span', 'grandtour-legend-name', name);
    item.title = name;
    item.append(swatch, label);
    container.appendChild(item);
  });
}
