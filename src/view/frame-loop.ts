/**
 * One requestAnimationFrame loop for every view on the page: views that need a frame
 * are drawn in one tick, and the loop stops when none do, so an idle notebook costs nothing.
 */
export interface Animated {
  /** Draw if needed; return whether another frame is wanted. */
  frame(now: number): boolean;
}

const views = new Set<Animated>();
let handle: number | null = null;

function tick(now: number): void {
  handle = null;
  let again = false;
  for (const view of views) {
    try {
      if (view.frame(now)) again = true;
    } catch (error) {
      // One broken view must not stop the others from drawing.
      console.error('[grandtour] frame failed', error);
    }
  }
  if (again) schedule();
}

function schedule(): void {
  if (handle === null) handle = requestAnimationFrame(tick);
}

export function addToLoop(view: Animated): void {
  views.add(view);
  schedule();
}

export function removeFromLoop(view: Animated): void {
  views.delete(view);
  if (views.size === 0 && handle !== null) {
    cancelAnimationFrame(handle);
    handle = null;
  }
}

/** Ask for a frame (after a state change while idle). */
export function wake(): void {
  if (views.size > 0) schedule();
}
