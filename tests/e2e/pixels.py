"""Stdlib-only PNG decoding and pixel statistics for browser screenshots.

Chromium emits 8-bit, non-interlaced PNGs (RGB or RGBA); that is all this supports, plus
grey and palette images of the same depth so a surprise encoder change fails loudly only
where it must. Pixels come back as one flat RGBA bytearray, row after row.
"""

from __future__ import annotations

import colorsys
import struct
import zlib
from collections import Counter
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Colour type -> channels per pixel.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Image:
    """A decoded image: `rgba` holds width*height*4 bytes, top row first."""

    width: int
    height: int
    rgba: bytearray

    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        i = 4 * (y * self.width + x)
        r, g, b, a = self.rgba[i : i + 4]
        return r, g, b, a

    def rgb_pixels(self) -> list[RGB]:
        """Every pixel as an (r, g, b) tuple, alpha dropped (screenshots are opaque)."""
        data = self.rgba
        return list(zip(data[0::4], data[1::4], data[2::4]))

    def crop(self, x: int, y: int, width: int, height: int) -> Image:
        """The sub-image with top-left (x, y), clipped to this image."""
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + width), min(self.height, y + height)
        out = bytearray()
        for row in range(y0, y1):
            start = 4 * (row * self.width + x0)
            out += self.rgba[start : start + 4 * (x1 - x0)]
        return Image(max(0, x1 - x0), max(0, y1 - y0), out)


class PNGError(ValueError):
    """The bytes are not a PNG this decoder supports."""


def decode_png(data: bytes) -> tuple[int, int, bytearray]:
    """Decode an 8-bit non-interlaced PNG into (width, height, RGBA bytes)."""
    image = read_png(data)
    return image.width, image.height, image.rgba


def read_png(data: bytes) -> Image:
    """Like `decode_png`, returning an `Image`."""
    if not data.startswith(PNG_SIGNATURE):
        raise PNGError("not a PNG (bad signature)")
    pos = len(PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    palette = b""
    transparency = b""
    idat = bytearray()
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length  # length + type + body + CRC
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise PNGError("missing IHDR")
    width, height, depth, colour_type, _compression, _filter, interlace = header
    if depth != 8 or colour_type not in _CHANNELS:
        raise PNGError(f"unsupported PNG: bit depth {depth}, colour type {colour_type}")
    if interlace:
        raise PNGError("interlaced PNGs are not supported")
    channels = _CHANNELS[colour_type]
    raw = _unfilter(zlib.decompress(bytes(idat)), width, height, channels)
    return Image(width, height, _to_rgba(raw, colour_type, palette, transparency))


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> bytearray:
    """Undo the per-row PNG filters (None, Sub, Up, Average, Paeth)."""
    stride = width * bpp
    if len(raw) < height * (stride + 1):
        raise PNGError("truncated image data")
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 0:
            pass
        elif kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prev))
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            _unpaeth(row, prev, bpp)
        else:
            raise PNGError(f"bad filter type {kind} on row {y}")
        out[y * stride : (y + 1) * stride] = row
        prev = row
    return out


def _unpaeth(row: bytearray, prev: bytearray, bpp: int) -> None:
    for i in range(len(row)):
        b = prev[i]
        if i >= bpp:
            a = row[i - bpp]
            c = prev[i - bpp]
        else:
            a = c = 0
        p = a + b - c
        pa = abs(p - a)
        pb = abs(p - b)
        pc = abs(p - c)
        if pa <= pb and pa <= pc:
            pred = a
        elif pb <= pc:
            pred = b
        else:
            pred = c
        row[i] = (row[i] + pred) & 0xFF


def _to_rgba(raw: bytearray, colour_type: int, palette: bytes, transparency: bytes) -> bytearray:
    n = len(raw) // _CHANNELS[colour_type]
    out = bytearray(b"\xff" * (4 * n))
    if colour_type == 6:
        return raw
    if colour_type == 2:
        out[0::4], out[1::4], out[2::4] = raw[0::3], raw[1::3], raw[2::3]
    elif colour_type == 0:
        out[0::4] = out[1::4] = out[2::4] = raw
    elif colour_type == 4:
        out[0::4] = out[1::4] = out[2::4] = raw[0::2]
        out[3::4] = raw[1::2]
    else:  # palette
        alpha = transparency + b"\xff" * (256 - len(transparency))
        for i, index in enumerate(raw):
            out[4 * i : 4 * i + 3] = palette[3 * index : 3 * index + 3]
            out[4 * i + 3] = alpha[index]
    return out


# ---------------------------------------------------------------- statistics


def colour_counts(image: Image) -> Counter[RGB]:
    """Exact RGB colour -> number of pixels."""
    return Counter(image.rgb_pixels())


def background_colour(image: Image) -> RGB:
    """The most common colour, taken to be the background."""
    return colour_counts(image).most_common(1)[0][0]


def _close(p: RGB, q: RGB, tolerance: int) -> bool:
    return abs(p[0] - q[0]) <= tolerance and abs(p[1] - q[1]) <= tolerance and abs(p[2] - q[2]) <= tolerance


def non_background_fraction(image: Image, background: RGB | None = None, tolerance: int = 8) -> float:
    """Share of pixels further than `tolerance` (per channel) from the background."""
    counts = colour_counts(image)
    bg = background if background is not None else counts.most_common(1)[0][0]
    total = image.width * image.height
    if total == 0:
        return 0.0
    near = sum(n for colour, n in counts.items() if _close(colour, bg, tolerance))
    return 1.0 - near / total


def saturation_value(colour: RGB) -> tuple[float, float, float]:
    """(hue in degrees, HSV saturation, HSV value) of an RGB colour."""
    h, s, v = colorsys.rgb_to_hsv(colour[0] / 255, colour[1] / 255, colour[2] / 255)
    return 360.0 * h, s, v


def hue_buckets(
    image: Image, bins: int = 12, min_saturation: float = 0.2, min_value: float = 0.2
) -> list[int]:
    """Pixel counts of saturated colours per hue bin (bin 0 starts at red).

    Label colours of a categorical palette land in different hue bins, while background,
    text, grid lines and greyed-out points have low saturation and are left out.
    """
    counts = [0] * bins
    for colour, n in colour_counts(image).items():
        hue, sat, val = saturation_value(colour)
        if sat >= min_saturation and val >= min_value:
            counts[int(hue * bins / 360.0) % bins] += n
    return counts


def distinct_colour_buckets(image: Image, min_pixels: int, **kwargs: float) -> int:
    """How many hue bins hold at least `min_pixels` saturated pixels."""
    return sum(1 for n in hue_buckets(image, **kwargs) if n >= min_pixels)


def saturated_pixels(image: Image, min_saturation: float = 0.2, min_value: float = 0.2) -> int:
    """Number of pixels with a clearly coloured (non-grey) hue."""
    return sum(hue_buckets(image, bins=1, min_saturation=min_saturation, min_value=min_value))


def grey_pixels(
    image: Image, background: RGB | None = None, tolerance: int = 8, max_saturation: float = 0.2
) -> int:
    """Non-background pixels of low saturation: grey or faded ink."""
    counts = colour_counts(image)
    bg = background if background is not None else counts.most_common(1)[0][0]
    total = 0
    for colour, n in counts.items():
        if _close(colour, bg, tolerance):
            continue
        if saturation_value(colour)[1] < max_saturation:
            total += n
    return total


def difference_fraction(a: Image, b: Image, tolerance: int = 8) -> float:
    """Share of pixels whose colour differs by more than `tolerance` in some channel."""
    if (a.width, a.height) != (b.width, b.height):
        raise ValueError(f"size mismatch: {a.width}x{a.height} vs {b.width}x{b.height}")
    total = a.width * a.height
    if total == 0:
        return 0.0
    if a.rgba == b.rgba:
        return 0.0
    changed = 0
    pa, pb = a.rgba, b.rgba
    for i in range(0, len(pa), 4):
        if (
            abs(pa[i] - pb[i]) > tolerance
            or abs(pa[i + 1] - pb[i + 1]) > tolerance
            or abs(pa[i + 2] - pb[i + 2]) > tolerance
        ):
            changed += 1
    return changed / total
