/**
 * One requestAnimationFrame loop for every view on the page: views that need a frame
 * are drawn in one tick, and the loop stops when none do, so an idle notebook costs nothing.
 */
export interface Animated {
  /** Draw if needed; return whether another frame is wanted. */
  frame(now: number): boolean;
}

import { pageShared } from '../page-shared';

/** One loop for the page, whichever bundle instance a view came from (see page-shared). */
const loop = pageShared('frames', () => ({ views: new Set<Animated>(), handle: null as number | null }));
const views = loop.views;

function tick(now: number): void {
  loop.handle = null;
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
  if (loop.handle === null) loop.handle = requestAnimationFrame(tick);
}

export function addToLoop(view: Animated): void {
  views.add(view);
  schedule();
}

export function removeFromLoop(view: Animated): void {
  views.delete(view);
  if (views.size === 0 && loop.handle !== null) {
    cancelAnimationFrame(loop.handle);
    loop.handle = null;
  }
}

/** Ask for a frame (after a state change while idle). */
export function wake(): void {
  if (views.size > 0) schedule();
}
