/**
 * What every host mounts: a Tour, or (its model's `_kind` says so) a similarity map. One
 * bundle draws both, so a map and its tours share the page's registry of sessions.
 */
import type { AnyModel } from '@anywidget/types';
import { bindTour } from './bind';
import { bindSimilarityMap, type SimilarityTraits } from './similarity';
import type { TourTraits } from './traits';

export function isSimilarityMap(model: AnyModel<TourTraits>): boolean {
  return (model as unknown as AnyModel<{ _kind?: string }>).get('_kind') === 'similarity';
}

export function bindWidget(model: AnyModel<TourTraits>, el: HTMLElement): () => void {
  if (isSimilarityMap(model)) return bindSimilarityMap(model as unknown as AnyModel<SimilarityTraits>, el);
  return bindTour(model, el);
}
