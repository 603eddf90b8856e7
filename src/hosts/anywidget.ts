/** The anywidget entry: `export default { render }`, bundled into one ES module. */
import type { Render } from '@anywidget/types';
import type { TourTraits } from '../widget/traits';
import { bindTour } from '../widget/bind';
import { glStats, simulateContextLoss } from '../render/gl';

const render: Render<TourTraits> = ({ model, el }) => bindTour(model, el);

export default { render };

/** Hooks for the browser tests (leaks, context loss); not part of the widget's API. */
export const testing = { glStats, simulateContextLoss };
