"""Is a figure's text readable on a projector? The one check of every figure test lives in
``figure_checks`` (at least 11 pt as shown in a 1,000 px column); this module only names it for the
tests that import it from here."""

from __future__ import annotations

from figure_checks import MIN_TEXT_PT, assert_readable, small_texts

__all__ = ["MIN_TEXT_PT", "assert_readable", "small_texts"]
