/** The JupyterLab plugin: registers TourModel/TourView with the widget manager. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { MODULE_NAME, MODULE_VERSION, TourModel, TourView } from './widget';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'grandtour:plugin',
  description: 'The grandtour widget for the Jupyter widget manager.',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: { TourModel, TourView } });
  },
};

export default plugin;
