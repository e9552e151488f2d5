"""The pictures' canvas keeps rasterised texts: the result matches matplotlib's own drawing."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from bot.presentation import charts


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_kept_texts_draw_like_matplotlib() -> None:
    figure = charts.new_figure()
    title = figure.text(0.1, 0.8, "Your statistics", fontsize=17, weight="bold")
    figure.text(0.1501, 0.5037, "1000 answered · 62% · rank 3 of 24", fontsize=10.5)
    first = charts.png_of(figure)
    assert charts.png_of(figure) == first  # drawn again from the kept glyphs
    title.set_text("Another title")
    changed = charts.png_of(figure)
    assert changed != first
    FigureCanvasAgg(figure)  # matplotlib's own canvas, glyphs rasterised in place
    title.set_text("Your statistics")
    theirs = pixels(charts.png_of(figure))
    ours = pixels(first)
    ink = (np.abs(theirs - 255).max(axis=2) > 64).sum()
    assert ink > 1000  # the texts are there
    differing = (np.abs(theirs - ours).max(axis=2) > 64).sum()
    # Texts sit on whole pixels in ours: at most a half-pixel shift of their edges.
    assert differing < ink * 0.5
    assert np.abs(theirs - ours).mean() < 2
