/**
 * The similarity map's traits and their binding: the only code that reads a map's model.
 * A map sends nothing back; what it does to tours goes through the tours' own bindings.
 */
import type { AnyModel } from '@anywidget/types';
import { decodeArray, WireFormatError, type WireArray } from '../core/codec';
import { SimilarityMapView, type SimilarityData } from '../view/similarity-map';

export interface SimilarityTraits {
  _kind: 'similarity';
  _matrix: WireArray;
  row_names: string[];
  col_names: string[];
  _tours: string[];
  method: string;
  title: string;
}

function stringList(value: unknown, name: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw new WireFormatError(`${name}: expected a list of strings`);
  }
  return value as string[];
}

/** Check a map's traits: a float32 (rows, cols) matrix with a name per row and column. */
export function decodeSimilarity(get: <K extends keyof SimilarityTraits>(key: K) => unknown): SimilarityData {
  const { data, shape } = decodeArray(get('_matrix'), '_matrix', ['float32'], 2);
  const [rows, cols] = shape;
  const rowNames = stringList(get('row_names'), 'row_names');
  const colNames = stringList(get('col_names'), 'col_names');
  if (rowNames.length !== rows) throw new WireFormatError(`row_names: ${rowNames.length} names for ${rows} rows of _matrix`);
  if (colNames.length !== cols) throw new WireFormatError(`col_names: ${colNames.length} names for ${cols} columns of _matrix`);
  const tours = stringList(get('_tours'), '_tours');
  if (tours.length !== 0 && tours.length !== 2) {
    throw new WireFormatError(`_tours: expected [row tour, column tour] or [], got ${tours.length} uids`);
  }
  const method = get('method');
  const title = get('title');
  return {
    matrix: data,
    rows,
    cols,
    rowNames,
    colNames,
    tours,
    method: typeof method === 'string' ? method : '',
    title: typeof title === 'string' ? title : '',
  };
}

export function bindSimilarityMap(model: AnyModel<SimilarityTraits>, el: HTMLElement): () => void {
  const view = new SimilarityMapView(el);
  const apply = (): void => {
    try {
      view.setData(decodeSimilarity((key) => model.get(key)));
    } catch (error) {
      view.showError(error instanceof Error ? error.message : `[grandtour] ${String(error)}`);
    }
  };
  const traits: (keyof SimilarityTraits)[] = ['_matrix', 'row_names', 'col_names', '_tours', 'method', 'title'];
  for (const trait of traits) model.on(`change:${trait}`, apply);
  apply();
  return () => {
    for (const trait of traits) model.off(`change:${trait}`, apply);
    view.destroy();
  };
}
