"""The stdlib PNG decoder against PNGs encoded here with every filter type."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from .pixels import (
    Image,
    PNGError,
    decode_png,
    difference_fraction,
    distinct_colour_buckets,
    grey_pixels,
    non_background_fraction,
    read_png,
)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filter_row(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) >> 1, _paeth(a, b, c)][kind]
        out.append((x - pred) & 0xFF)
    return bytes(out)


def encode_png(width: int, height: int, pixels: bytes, colour_type: int) -> bytes:
    """Encode 8-bit pixels, cycling through filters 0-4 row by row."""
    bpp = {2: 3, 6: 4}[colour_type]
    stride = width * bpp
    raw = bytearray()
    prev = bytes(stride)
    for y in range(height):
        row = pixels[y * stride : (y + 1) * stride]
        kind = y % 5
        raw.append(kind)
        raw += _filter_row(kind, row, prev, bpp)
        prev = row
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw)))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("colour_type", [2, 6])
def test_decode_round_trip(colour_type: int) -> None:
    rng = random.Random(7)
    width, height = 13, 11
    bpp = 3 if colour_type == 2 else 4
    pixels = bytes(rng.randrange(256) for _ in range(width * height * bpp))
    w, h, rgba = decode_png(encode_png(width, height, pixels, colour_type))
    assert (w, h) == (width, height)
    if colour_type == 6:
        assert bytes(rgba) == pixels
    else:
        expected = bytearray()
        for i in range(0, len(pixels), 3):
            expected += pixels[i : i + 3] + b"\xff"
        assert bytes(rgba) == bytes(expected)


def test_rejects_non_png() -> None:
    with pytest.raises(PNGError):
        read_png(b"GIF89a....")


def _solid(width: int, height: int, colour: tuple[int, int, int]) -> Image:
    return Image(width, height, bytearray(bytes([*colour, 255]) * (width * height)))


def test_statistics() -> None:
    white = _solid(10, 10, (255, 255, 255))
    image = _solid(10, 10, (255, 255, 255))
    # Five saturated colours, 4 pixels each, and 6 grey pixels.
    colours = [(0xE1, 0x57, 0x59), (0xF2, 0x8E, 0x2B), (0x59, 0xA1, 0x4F), (0x76, 0xB7, 0xB2), (0x4E, 0x79, 0xA7)]
    for k, colour in enumerate(colours):
        for j in range(4):
            i = 4 * (10 * k + j)
            image.rgba[i : i + 3] = bytes(colour)
    for j in range(6):
        i = 4 * (90 + j)
        image.rgba[i : i + 3] = b"\x80\x80\x80"
    assert non_background_fraction(image) == pytest.approx(0.26)
    assert distinct_colour_buckets(image, min_pixels=4) == 5
    assert distinct_colour_buckets(image, min_pixels=5) == 0
    assert grey_pixels(image) == 6
    assert difference_fraction(image, white) == pytest.approx(0.26)
    assert difference_fraction(white, white) == 0.0
