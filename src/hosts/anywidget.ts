/**
 * The anywidget entry: `export default { render }`, bundled into one ES module. Tours and
 * similarity maps (`_kind === 'similarity'`) share this module and render through it.
 */
import type { Render } from '@anywidget/types';
import type { TourTraits } from '../widget/traits';
import { bindWidget } from '../widget/render';
import { glStats, simulateContextLoss } from '../render/gl';

const render: Render<TourTraits> = ({ model, el }) => bindWidget(model, el);

export default { render };

/** Hooks for the browser tests (leaks, context loss); not part of the widget's API. */
export const testing = { glStats, simulateContextLoss };
