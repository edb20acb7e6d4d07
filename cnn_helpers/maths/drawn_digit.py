"""A drawing made MNIST-like: strokes or a photo turned into a 28x28 digit the way MNIST's were
made (fit in a 20x20 box, centred by the centre of mass). The drawing pad's image processing.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from .._args import require_array, require_count, require_positive


def _draw_segment(canvas: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float) -> None:
    """Ink the pixels whose centre lies within ``radius`` (+ half a pixel of ramp) of segment ``ab``."""
    low = np.maximum(np.floor(np.minimum(a, b) - radius - 1), 0).astype(int)
    high = np.minimum(np.ceil(np.maximum(a, b) + radius + 1), canvas.shape[0]).astype(int)
    if np.any(high <= low):
        return  # off the canvas
    ys, xs = np.mgrid[low[1] : high[1], low[0] : high[0]] + 0.5  # pixel centres
    d = b - a
    t = np.clip(((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / (d @ d or 1.0), 0, 1)
    dist = np.hypot(xs - a[0] - t * d[0], ys - a[1] - t * d[1])
    region = canvas[low[1] : high[1], low[0] : high[0]]
    np.maximum(region, np.clip(radius + 0.5 - dist, 0, 1), out=region)


def render_strokes(strokes: Any, *, size: int = 280, width: float = 18.0) -> np.ndarray:
    """Draw strokes as round-capped lines ``width`` pixels thick: ``(size, size)`` float32, ink 1.

    ``strokes`` is a list of strokes, each a list of ``(x, y)`` canvas points (x right, y down);
    a one-point stroke is a dot. Edges are anti-aliased over one pixel. Used by the drawing pad.
    """
    size, radius = require_count("size", size), require_positive("width", width) / 2
    if not isinstance(strokes, (list, tuple)):
        raise TypeError(
            f"strokes must be a list of strokes (lists of (x, y) points), got {type(strokes).__name__}"
        )
    checked = [
        require_array(f"strokes[{i}]", s, ndim=(2,), shape_hint="(points, 2): a list of (x, y)")
        for i, s in enumerate(strokes)
    ]
    for i, points in enumerate(checked):
        if points.shape[1] != 2:
            raise ValueError(f"strokes[{i}] must hold (x, y) pairs, got shape {points.shape}")
    canvas = np.zeros((size, size), np.float32)
    for points in checked:
        ends = points[1:] if len(points) > 1 else points  # one point: a segment of length 0, a dot
        for a, b in zip(points[: len(ends)], ends, strict=True):
            _draw_segment(canvas, a, b, radius)
    return canvas


def mnist_style(drawing: Any) -> np.ndarray:
    """Return a drawing ``(H, W)`` (ink bright, background 0) as an MNIST-like ``(28, 28)`` digit.

    As MNIST was made: ink scaled to max 1, cropped to its bounding box, resized (anti-aliased,
    aspect kept) to fit 20x20, pasted so that its centre of mass lands at pixel (14, 14), without
    pushing ink off the image. float32 in [0, 1]. Used by the drawing pad.
    """
    image = require_array("drawing", drawing, ndim=(2, 3), shape_hint="(H, W) or (H, W, 1)")
    if image.ndim == 3:
        if image.shape[2] != 1:
            raise ValueError(f"drawing must be grayscale, (H, W) or (H, W, 1); got {image.shape}")
        image = image[..., 0]
    if image.min() < 0:
        raise ValueError("drawing must not be negative: ink bright (> 0), background 0")
    if image.max() == 0:
        raise ValueError("the drawing is empty: draw a digit first")
    image = image.astype(np.float32) / np.float32(image.max())
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    new_h, new_w = (max(1, round(n * 20 / max(h, w))) for n in (h, w))
    if (new_h, new_w) != (h, w):
        crop = np.asarray(Image.fromarray(crop).resize((new_w, new_h), Image.Resampling.BILINEAR))
        crop = np.clip(crop, 0, None) / max(float(crop.max()), 1e-12)
    total = crop.sum()
    centre = [(crop.sum(axis=1 - a) * np.arange(crop.shape[a])).sum() / total for a in (0, 1)]
    top = min(max(round(14 - centre[0]), 0), 28 - new_h)
    left = min(max(round(14 - centre[1]), 0), 28 - new_w)
    out = np.zeros((28, 28), np.float32)
    out[top : top + new_h, left : left + new_w] = crop
    return out


def image_file_to_drawing(data: Any) -> np.ndarray:
    """Return the bytes of a PNG/JPG file as a drawing ``(H, W)`` float32 in [0, 1], ink bright.

    Transparent pixels count as white paper; the image is made grayscale, inverted if its border
    is light (dark ink on paper), and the paper's level is subtracted. Ready for ``mnist_style``.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the bytes of an image file, got {type(data).__name__}")
    try:
        with Image.open(io.BytesIO(bytes(data))) as picture:
            picture.thumbnail((560, 560))
            paper = Image.new("RGBA", picture.size, "white")
            gray = Image.alpha_composite(paper, picture.convert("RGBA")).convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise ValueError(f"could not read the file as an image (PNG or JPG expected): {err}") from err
    image = np.asarray(gray, np.float32) / 255
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    if np.median(border) > 0.5:
        image, border = 1 - image, 1 - border
    background = float(np.median(border))
    ink = np.clip((image - background) / max(1 - background, 1e-6), 0, 1)
    return np.where(ink < 0.15, 0, ink).astype(np.float32)  # camera noise on the paper is not ink
