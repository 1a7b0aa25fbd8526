#!/usr/bin/env python3
"""Draws the package icon, icon.png (128x128 RGBA), with nothing but zlib: our own artwork, reproducible.

A rounded dark-blue square; three white rows, one per service, each with a port on its right: green (listening)
for the first two, amber (restarting) for the third. Run it again after a change: python3 icon.py
"""
import os
import struct
import zlib

SIZE = 128
BACKGROUND = (28, 52, 96)
ROW = (240, 244, 250)
GREEN = (64, 196, 110)
AMBER = (245, 176, 50)


def inside_rounded(x, y, left, top, right, bottom, radius):
    """True when the pixel centre (x + .5, y + .5) is inside the rounded rectangle."""
    cx, cy = x + 0.5, y + 0.5
    if not (left <= cx <= right and top <= cy <= bottom):
        return False
    nx = min(max(cx, left + radius), right - radius)
    ny = min(max(cy, top + radius), bottom - radius)
    return (cx - nx) ** 2 + (cy - ny) ** 2 <= radius ** 2


def pixel(x, y):
    if not inside_rounded(x, y, 0, 0, SIZE, SIZE, 22):
        return (0, 0, 0, 0)
    for index, top in enumerate((26, 56, 86)):
        if inside_rounded(x, y, 20, top, 84, top + 16, 8):
            return ROW + (255,)
        dot = GREEN if index < 2 else AMBER
        if (x + 0.5 - 101) ** 2 + (y + 0.5 - (top + 8)) ** 2 <= 9 ** 2:
            return dot + (255,)
    return BACKGROUND + (255,)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png():
    rows = b"".join(b"\x00" + bytes(v for x in range(SIZE) for v in pixel(x, y)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
        f.write(png())
