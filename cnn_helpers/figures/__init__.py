"""The pictures, drawn with matplotlib from arrays (what ``maths`` computes, or a notebook holds): one
module per kind of picture, on three shared modules: ``_base`` (a new figure at a readable size, a
grid of panels on it, its description in words, its PNG), ``_colour`` (every colour and colour map,
named by its role, and colour that never carries meaning alone: dotted negative cells, black or
white text by contrast) and ``_panels`` (drawing pieces: matrices with their numbers, outlines,
probability bars).

Every helper checks its arguments first, draws on a new figure, describes it in a sentence made from
the data it draws (its alt text) and returns it. A new figure is closed in pyplot as soon as it is
made: no interactive backend is needed, and Jupyter shows it exactly once, as the cell's value."""
