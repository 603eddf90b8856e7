/**
 * The view's keyboard: which key does what. Keys reach us only while the widget has focus
 * (the listener sits on the widget, never on window), and every key we act on stops there,
 * so JupyterLab's command-mode keys (d d, x, i i, 1–6, …) never see it.
 */

/** What the keys can do to a view. */
export interface KeyActions {
  /** Whether Escape has something of ours to dismiss (a gesture, selection, mode or help). */
  canDismiss(): boolean;
  dismiss(): void;
  togglePlaying(): void;
  toggleHandleMode(): void;
  removeLastHandle(): void;
  toggleImages(): void;
  resetView(): void;
  stepLayer(step: number): void;
  stepEpoch(step: number): void;
  toggleGuided(): void;
  toggleDepth(): void;
  toggleFps(): void;
  /** Turn about handle `index` (null: about the origin). */
  setCentre(index: number | null): void;
  toggleHelp(): void;
}

/** Keys a focused range input handles itself. */
const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** Handle a keydown on the widget; `slider` is the epoch slider, whose arrows are its own. */
export function onTourKey(event: KeyboardEvent, actions: KeyActions, slider: HTMLElement): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  if (target instanceof HTMLInputElement && target.type !== 'range') return;
  // Arrows on the epoch slider move the slider, not the layer (nor JupyterLab's cells).
  if (target === slider && SLIDER_KEYS.has(event.key)) {
    event.stopPropagation();
    return;
  }
  if (!runKey(event.key, actions)) return;
  event.preventDefault();
  event.stopPropagation();
}

/** Do what `key` does; false when it is not one of ours (and must go on to Jupyter). */
export function runKey(key: string, actions: KeyActions): boolean {
  switch (key) {
    case 'Escape':
      // Jupyter takes Escape to leave the output; it belongs to the widget only when
      // there is something of ours to dismiss.
      if (!actions.canDismiss()) return false;
      actions.dismiss();
      return true;
    case ' ':
    case 'p':
      actions.togglePlaying();
      return true;
    case 'd':
      actions.toggleHandleMode();
      return true;
    case 'x':
      actions.removeLastHandle();
      return true;
    case 'i':
      actions.toggleImages();
      return true;
    case 'r':
      actions.resetView();
      return true;
    case 'j':
    case 'ArrowRight':
      actions.stepLayer(1);
      return true;
    case 'k':
    case 'ArrowLeft':
      actions.stepLayer(-1);
      return true;
    case ']':
      actions.stepEpoch(1);
      return true;
    case '[':
      actions.stepEpoch(-1);
      return true;
    case 'g':
      actions.toggleGuided();
      return true;
    case 'z':
      actions.toggleDepth();
      return true;
    case 'f':
      actions.toggleFps();
      return true;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      // Consumed even without such a handle: in Jupyter's command mode 1–6 make headings.
      actions.setCentre(key === '0' ? null : Number(key) - 1);
      return true;
    case '?':
      actions.toggleHelp();
      return true;
    default:
      return false;
  }
}
