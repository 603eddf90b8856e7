/** The anywidget entry: `export default { render }`, bundled into one ES module. */
import type { Render } from '@anywidget/types';
import type { TourTraits } from '../widget/traits';
import { bindTour } from '../widget/bind';

const render: Render<TourTraits> = ({ model, el }) => bindTour(model, el);

export default { render };
