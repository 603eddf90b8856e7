/**
 * The only code that touches the widget model. It decodes traits into the session,
 * turns user actions into trait changes, and sends them once per gesture (pointer-up,
 * button press, slider release), never per frame. Both hosts (anywidget and the
 * JupyterLab extension) call bindTour.
 */
import type { AnyModel } from '@anywidget/types';
import { encodeIndices, type WireArray, type WireBitmask } from '../core/codec';
import { acquireSession, releaseSession } from '../view/session';
import type { LinkedChange } from '../view/link-groups';
import { TourView } from '../view/tour-view';
import {
  decodeAttributes,
  decodeColorBy,
  decodeHandles,
  decodeImages,
  decodeLabels,
  decodeEpochs,
  decodeLayers,
  decodeProjection,
  decodeSelection,
  encodeHandles,
  type TourTraits,
} from './traits';

type Trait = keyof TourTraits;

export function bindTour(model: AnyModel<TourTraits>, el: HTMLElement): () => void {
  const uid = model.get('_uid') || `local-${Math.random().toString(36).slice(2)}`;
  const session = acquireSession(uid);
  // Values this view sent: their change events come straight back and must not re-apply.
  let sentProjection: unknown = null;
  let sentSelection: WireArray | WireBitmask | null = null;
  /** Set traits and send them to the kernel as one message. */
  const send = (values: Partial<TourTraits>): void => {
    for (const [key, value] of Object.entries(values)) model.set(key as keyof TourTraits, value as never);
    model.save_changes();
  };

  const view = new TourView(el, session, {
    select(indices, projection) {
      sentProjection = projection;
      // The view shows the selection itself, after this: decoding the echo at 1M points
      // (and showing it) held the message back by that long.
      const selected = encodeIndices(indices, session.count);
      sentSelection = selected;
      send({ selected, projection });
      session.shareWithLinked({ kind: 'selection', indices });
    },
    playing(playing, projection) {
      sentProjection = projection;
      send({ playing, projection });
      session.shareWithLinked({ kind: 'playing', playing });
    },
    speed(speed) {
      send({ speed });
    },
    steer(projection) {
      sentProjection = projection;
      send({ projection });
    },
    handles(handles) {
      send({ _handles: encodeHandles(handles) });
      session.shareWithLinked({ kind: 'handles', handles });
    },
    guided(on) {
      send({ guided: on });
    },
    depth(on) {
      send({ depth: on });
    },
    showFps(on) {
      send({ show_fps: on });
    },
    align(enabled) {
      const align = model.get('_align');
      if (!align) return;
      send({ _align: { ...align, enabled } });
    },
    colorBy(name) {
      send({ color_by: name });
    },
    hidden(codes) {
      send({ hidden_classes: codes.map((c) => session.labelNames[c]) });
    },
    showImages(show) {
      send({ show_images: show });
    },
    layer(name) {
      send({ layer: name });
    },
    epoch(name) {
      send({ epoch: name });
    },
  });

  /** Run an update; a bad value shows as an error in the widget instead of escaping. */
  const guard =
    (update: () => void) =>
    (): void => {
      try {
        update();
      } catch (error) {
        view.showError(error instanceof Error ? error.message : `[grandtour] ${String(error)}`);
      }
    };

  const applyData = guard(() => {
    const wire = model.get('_layers');
    if (session.dataSource !== wire) {
      const layers = decodeLayers(wire, model.get('_epochs'));
      const labels = decodeLabels(model.get('_labels'), model.get('_label_names'), layers[0].n);
      // Every epoch has the same layer names, so the names of all layers are those of each.
      const names = layers.map((l) => l.name);
      const current = names.includes(model.get('layer')) ? model.get('layer') : names[0];
      session.setLayers(layers, current, model.get('epoch') ?? '');
      session.setLabels(labels.codes, labels.names);
      session.setImages(decodeImages(model.get('_images'), layers[0].n));
      session.dataSource = wire;
      applyProjection();
      applyHandles();
      applyHidden();
    }
    view.refreshLegend();
    view.clearError();
  });

  const applyLayer = guard(() => {
    if (session.layers.some((l) => l.name === model.get('layer'))) session.setCurrentLayer(model.get('layer'));
  });

  const applyEpoch = guard(() => {
    const epoch = model.get('epoch');
    if (session.epochs.includes(epoch)) session.setCurrentEpoch(epoch);
  });

  // New epochs always come with their layers; decode both again even if `_layers` is the same object.
  const applyEpochs = guard(() => {
    const epochs = decodeEpochs(model.get('_epochs'));
    if (epochs.length === session.epochs.length && epochs.every((e, i) => e === session.epochs[i])) return;
    session.dataSource = null;
    applyData();
  });

  // A similarity map switched this tour's layer: the model hears it as from the strip.
  const onLayerRequest = (name: string): void => {
    model.set('layer', name);
    model.save_changes();
  };
  session.layerListeners.add(onLayerRequest);

  const applySelection = guard(() => {
    const value = model.get('selected');
    if (value !== sentSelection) session.setSelection(decodeSelection(value, session.count));
  });

  const applyProjection = guard(() => {
    const value = model.get('projection');
    if (value === sentProjection) return;
    const basis = decodeProjection(value, session.layer?.dims ?? 0);
    if (basis) session.setProjection(basis);
  });

  const applyHandles = guard(() => session.setHandles(decodeHandles(model.get('_handles'), session.count)));

  const applyHidden = guard(() => {
    const names = model.get('hidden_classes') ?? [];
    const codes: number[] = [];
    session.labelNames.forEach((name, code) => names.includes(name) && codes.push(code));
    session.setHiddenClasses(codes);
  });

  const applyImages = guard(() => {
    session.setImages(decodeImages(model.get('_images'), session.count));
    session.setShowImages(Boolean(model.get('show_images')), Boolean(model.get('images_selected_only')));
  });

  const applyLink = guard(() => {
    const link = model.get('_link');
    session.setLink(link?.group ?? null, { selection: Boolean(link?.selection), handles: Boolean(link?.handles) });
  });

  const applyAlign = guard(() => {
    const align = model.get('_align');
    session.setAlignment(align?.partner ?? null, Boolean(align?.enabled));
  });

  // The attributes decoded last, and for how many points (new layers may change the count).
  let attributesSource: unknown = undefined;
  let attributesCount = -1;
  // Set while decoding: a bad colouring's error is cleared by the next good one.
  let colorsFailed = false;
  const applyColors = guard(() => {
    if (session.count === 0) return; // no layers (or they failed to decode): nothing to colour
    const failedBefore = colorsFailed;
    colorsFailed = true;
    const wire = model.get('_attributes');
    if (wire !== attributesSource || session.count !== attributesCount) {
      session.setAttributes(decodeAttributes(wire, session.count));
      attributesSource = wire;
      attributesCount = session.count;
    }
    // The choice from this view's menu comes back as a change event: setColorBy ignores it.
    const colorBy = decodeColorBy(model.get('color_by'), session.attributes, {
      movement: session.epochLayers.length >= 2,
      // Python checks "difference" (either side of a comparison; only the left one has
      // `_align`); until the partner's view is on the page the points wait in grey.
      difference: true,
    });
    session.setColorBy(colorBy);
    colorsFailed = false;
    if (failedBefore) view.clearError();
    view.invalidate();
  });

  // What arrives through a link was done in another tour: this model must hear it too.
  const onLinked = (change: LinkedChange): void => {
    if (change.kind === 'selection') model.set('selected', encodeIndices(change.indices, session.count));
    else if (change.kind === 'handles') model.set('_handles', encodeHandles(change.handles));
    else model.set('playing', change.playing);
    model.save_changes();
  };
  session.linkedListeners.add(onLinked);

  const applyPlaying = guard(() => {
    const playing = Boolean(model.get('playing'));
    const wasPlaying = session.playing;
    session.setPlaying(playing);
    // Paused from Python: tell Python which view it stopped on, as a pause in the view does.
    if (wasPlaying && !playing && session.layer) {
      const projection = view.currentProjection();
      sentProjection = projection;
      model.set('projection', projection);
      model.save_changes();
    }
  });
  const applySpeed = guard(() => session.setSpeed(Number(model.get('speed'))));
  const applySeed = guard(() => session.setSeed(Number(model.get('seed')) || 0));
  const applyLevelOfDetail = guard(() => {
    view.levelOfDetail = model.get('level_of_detail') !== false;
    view.invalidate();
  });
  const applyHeight = guard(() => view.setHeight(Number(model.get('height')) || 480));
  // The session ignores a value it already has, so a toggle's own change event is a no-op.
  const applyGuided = guard(() => session.setGuided(model.get('guided') === true));
  const applyDepth = guard(() => session.setDepth(model.get('depth') === true));
  const applyShowFps = guard(() => view.setShowFps(model.get('show_fps') === true));

  const handlers: [Trait, () => void][] = [
    ['_layers', applyData],
    ['_labels', applyData],
    ['_label_names', applyData],
    ['layer', applyLayer],
    ['_epochs', applyEpochs],
    ['epoch', applyEpoch],
    ['selected', applySelection],
    ['projection', applyProjection],
    ['playing', applyPlaying],
    ['speed', applySpeed],
    ['seed', applySeed],
    ['height', applyHeight],
    ['_handles', applyHandles],
    ['hidden_classes', applyHidden],
    ['_images', applyImages],
    ['show_images', applyImages],
    ['images_selected_only', applyImages],
    ['_link', applyLink],
    ['level_of_detail', applyLevelOfDetail],
    ['_align', applyAlign],
    ['_layers', applyColors],
    ['_attributes', applyColors],
    ['color_by', applyColors],
    ['_align', applyColors],
    ['guided', applyGuided],
    ['depth', applyDepth],
    ['show_fps', applyShowFps],
  ];

  // A fresh session takes the model's whole state; a second view of the same model
  // joins the session as it is (the tour already running) and only adds its DOM.
  const joining = session.dataSource === model.get('_layers');
  applyHeight();
  applyLevelOfDetail();
  applyShowFps();
  if (!joining) {
    applySeed();
    applySpeed();
    applyPlaying();
  }
  applyData();
  if (!joining) {
    applySelection();
    applyImages();
    applyLink();
    applyAlign();
    applyGuided();
    applyDepth();
  }
  applyColors();

  for (const [trait, handler] of handlers) model.on(`change:${trait}`, handler);

  return () => {
    for (const [trait, handler] of handlers) model.off(`change:${trait}`, handler);
    session.linkedListeners.delete(onLinked);
    session.layerListeners.delete(onLayerRequest);
    view.destroy();
    releaseSession(uid);
  };
}
