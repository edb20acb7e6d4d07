"""The pictures, drawn with matplotlib from what ``maths`` computes: one module per kind of
picture, on a shared base (``_base``: size, resolution, the description in words; ``_panels``:
drawing pieces; ``_colour``: colours that never carry meaning alone).

Every helper checks its arguments first, draws on a new figure (or the ``fig=`` you pass),
describes it in a sentence made from the data it draws (its alt text) and returns it. A new
figure is closed in pyplot as soon as it is made: no interactive backend is needed, and Jupyter
shows it exactly once, as the cell's value."""
