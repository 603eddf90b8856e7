/** The hover tooltip and the keyboard-shortcut help. Text only, never markup. */
import type { ImageSet } from '../render/atlas';
import { element } from './dom';

export const SHORTCUTS: [string, string][] = [
  ['drag', 'lasso-select points (click the plot, or Escape, to clear)'],
  ['space / p', 'pause or play the tour'],
  ['d', 'the next lasso makes a handle (drag a handle to steer)'],
  ['x', 'delete the most recent handle'],
  ['i', 'dots ↔ image thumbnails'],
  ['wheel', 'zoom at the pointer; Ctrl-drag or middle-drag pans'],
  ['r', 'reset zoom and pan'],
  ['j / k, → / ←', 'next / previous layer'],
  ['[ / ]', 'previous / next training epoch (with epochs)'],
  ['1 – 9 / 0', 'turn about handle k / about the centre again'],
  ['g', 'guided tour: drift toward views that separate the classes'],
  ['z', 'depth cues: near points larger, far ones paler'],
  ['f', 'frame-rate readout'],
  ['?', 'show or hide this help'],
];

export class Tooltip {
  readonly box: HTMLDivElement;
  private readonly text: HTMLDivElement;
  private readonly thumb: HTMLCanvasElement;

  constructor(parent: HTMLElement) {
    const doc = parent.ownerDocument;
    this.box = element(doc, 'div', 'grandtour-tooltip');
    this.text = element(doc, 'div', 'grandtour-tooltip-text');
    this.thumb = element(doc, 'canvas', 'grandtour-tooltip-thumb');
    this.box.append(this.thumb, this.text);
    parent.appendChild(this.box);
    this.hide();
  }

  show(x: number, y: number, lines: string[], images: ImageSet | null, index: number): void {
    this.text.replaceChildren(...lines.map((line) => element(this.box.ownerDocument, 'div', '', line)));
    if (images && index < images.n) {
      drawThumbnail(this.thumb, images, index);
      this.thumb.style.display = '';
    } else {
      this.thumb.style.display = 'none';
    }
    this.box.style.display = '';
    this.box.style.transform = `translate(${Math.round(x + 12)}px, ${Math.round(y + 12)}px)`;
  }

  hide(): void {
    this.box.style.display = 'none';
  }
}

function drawThumbnail(canvas: HTMLCanvasElement, images: ImageSet, index: number): void {
  const { width, height, channels, data } = images;
  canvas.width = width;
  canvas.height = height;
  const scale = Math.max(1, Math.floor(64 / Math.max(width, height)));
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
  const context = canvas.getContext('2d');
  if (!context) return;
  const pixels = context.createImageData(width, height);
  const base = index * width * height * channels;
  for (let p = 0; p < width * height; p++) {
    const src = base + p * channels;
    const grey = channels === 1;
    pixels.data[4 * p] = data[src];
    pixels.data[4 * p + 1] = grey ? data[src] : data[src + 1];
    pixels.data[4 * p + 2] = grey ? data[src] : data[src + 2];
    pixels.data[4 * p + 3] = channels === 4 ? data[src + 3] : 255;
  }
  context.putImageData(pixels, 0, 0);
}

export function createHelp(parent: HTMLElement): HTMLDivElement {
  const doc = parent.ownerDocument;
  const help = element(doc, 'div', 'grandtour-help');
  help.setAttribute('role', 'dialog');
  help.setAttribute('aria-label', 'Keyboard shortcuts');
  help.appendChild(element(doc, 'div', 'grandtour-help-title', 'Keys (while the widget has focus)'));
  for (const [key, what] of SHORTCUTS) {
    const row = element(doc, 'div', 'grandtour-help-row');
    row.append(element(doc, 'kbd', '', key), element(doc, 'span', '', what));
    help.appendChild(row);
  }
  help.style.display = 'none';
  parent.appendChild(help);
  return help;
}
