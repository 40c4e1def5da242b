#!/usr/bin/env python3
"""Draws eng/icon.png, the packages' 128x128 icon: three progress bars on a rounded teal square.

Plain Python (zlib and struct only), anti-aliased by drawing at four times the size and averaging.
Run it from anywhere: python3 eng/make-icon.py
"""
import os
import struct
import zlib

SIZE = 128
SCALE = 4
BACKGROUND = (11, 93, 91)        # deep teal
TRACK = (255, 255, 255, 56)      # the empty part of a bar: white, faint
BARS = [                         # (filled fraction of the track, colour): done, running, just started
    (1.00, (255, 255, 255)),
    (0.70, (255, 255, 255)),
    (0.34, (127, 224, 198)),
]


def inside_rounded(x, y, left, top, right, bottom, radius):
    """Whether point (x, y) lies in the rounded rectangle [left, right) x [top, bottom)."""
    if x < left or x >= right or y < top or y >= bottom:
        return False
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def blend(under, over, alpha):
    return tuple(u + (o - u) * alpha for u, o in zip(under, over))


def pixel(x, y):
    """The colour (r, g, b, a) at a point of the large canvas."""
    s = SCALE
    if not inside_rounded(x, y, 0, 0, SIZE * s, SIZE * s, 24 * s):
        return (0, 0, 0, 0)
    colour = BACKGROUND
    for row, (fraction, fill) in enumerate(BARS):
        top, bottom = (30 + 27 * row) * s, (44 + 27 * row) * s
        left, right = 22 * s, 106 * s
        if inside_rounded(x, y, left, top, right, bottom, 7 * s):
            colour = blend(colour, TRACK[:3], TRACK[3] / 255)
            if inside_rounded(x, y, left, top, left + round((right - left) * fraction), bottom, 7 * s):
                colour = fill
    return colour + (255,)


def main():
    rows = []
    for y in range(SIZE):
        row = bytearray([0])  # filter type: none
        for x in range(SIZE):
            samples = [pixel(x * SCALE + i, y * SCALE + j) for i in range(SCALE) for j in range(SCALE)]
            alpha = sum(p[3] for p in samples)
            if alpha == 0:
                row += bytes(4)
                continue
            # Colours averaged by their coverage, so the anti-aliased edge does not darken.
            rgb = [round(sum(p[c] * p[3] for p in samples) / alpha) for c in range(3)]
            row += bytes(rgb + [round(alpha / len(samples))])
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
    png += chunk(b"IEND", b"")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(path, "wb") as output:
        output.write(png)
    print(f"{path}: {len(png)} bytes")


if __name__ == "__main__":
    main()
