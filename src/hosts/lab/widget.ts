/**
 * The classic widget path: a DOMWidgetModel/View pair for JupyterLab's widget manager,
 * delegating to the same bindTour as the anywidget entry (or, for a model whose `_kind` is
 * 'similarity', the similarity map's binding).
 */
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from '@jupyter-widgets/base';
import type { AnyModel } from '@anywidget/types';
import { bindWidget } from '../../widget/render';
import type { TourTraits } from '../../widget/traits';

export const MODULE_NAME = 'grandtour';
export const MODULE_VERSION = '0.1.0';

/** Binary traits pass through untouched; the default serializer would JSON them into {}. */
const binary = { serialize: (value: unknown) => value };

export class TourModel extends DOMWidgetModel {
  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    selected: binary,
    _handles: binary,
  };

  override defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: 'TourModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'TourView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      _uid: '',
      _layers: [],
      _labels: null,
      _label_names: [],
      layer: '',
      selected: null,
      playing: true,
      speed: 1,
      projection: [],
      seed: 0,
      height: 480,
    };
  }
}

export class TourView extends DOMWidgetView {
  private cleanup: (() => void) | null = null;

  override render(): void {
    this.cleanup = bindWidget(this.model as unknown as AnyModel<TourTraits>, this.el);
  }

  override remove(): void {
    this.cleanup?.();
    this.cleanup = null;
    super.remove();
  }
}
