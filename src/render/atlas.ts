/**
 * Thumbnails packed into texture atlases, one cell per point in index order, so that the
 * points of one atlas are one contiguous range and draw with one call. As many atlases as
 * the GPU's largest texture requires.
 */
export interface ImageSet {
  /** n×h×w×channels bytes, channels 1 (grey), 3 (RGB) or 4 (RGBA). */
  data: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
}

export interface AtlasPage {
  /** RGBA bytes, width × height. */
  pixels: Uint8Array;
  width: number;
  height: number;
  first: number;
  count: number;
  cellsPerRow: number;
  /** One cell in texture coordinates. */
  cellSize: [number, number];
}

export function packAtlases(images: ImageSet, maxTextureSize: number): AtlasPage[] {
  const cell = Math.max(images.height, images.width);
  const limit = Math.min(maxTextureSize, 4096);
  const cellsPerRow = Math.max(1, Math.floor(limit / cell));
  const rowsPerPage = Math.max(1, Math.floor(limit / cell));
  const perPage = cellsPerRow * rowsPerPage;
  const pages: AtlasPage[] = [];
  for (let first = 0; first < images.n; first += perPage) {
    const count = Math.min(perPage, images.n - first);
    const width = Math.min(count, cellsPerRow) * cell;
    const height = Math.ceil(count / cellsPerRow) * cell;
    const pixels = new Uint8Array(width * height * 4);
    for (let k = 0; k < count; k++) {
      const x0 = (k % cellsPerRow) * cell;
      const y0 = Math.floor(k / cellsPerRow) * cell;
      copyImage(images, first + k, pixels, width, x0, y0);
    }
    pages.push({
      pixels,
      width,
      height,
      first,
      count,
      cellsPerRow,
      cellSize: [cell / width, cell / height],
    });
  }
  return pages;
}

function copyImage(images: ImageSet, index: number, out: Uint8Array, outWidth: number, x0: number, y0: number): void {
  const { data, height, width, channels } = images;
  const base = index * height * width * channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = base + (y * width + x) * channels;
      const dst = ((y0 + y) * outWidth + x0 + x) * 4;
      if (channels === 1) {
        out[dst] = out[dst + 1] = out[dst + 2] = data[src];
        out[dst + 3] = 255;
      } else {
        out[dst] = data[src];
        out[dst + 1] = data[src + 1];
        out[dst + 2] = data[src + 2];
        out[dst + 3] = channels === 4 ? data[src + 3] : 255;
      }
    }
  }
}
