"""Calibration: the reliability table and its expected calibration error, temperature scaling, and
the reliability diagram (explore notebook, part 7)."""

from __future__ import annotations

from cnn_helpers import fit_temperature, plot_reliability, reliability, temperature_scaled
from cnn_helpers.figures._base import alt_text
import numpy as np
import pytest


def _two_class(top: np.ndarray) -> np.ndarray:
    return np.stack([top, 1 - top], axis=1)


def test_a_model_right_as_often_as_it_says_has_no_calibration_error():
    # 100 digits at 0.95 (95 right) and 100 at 0.65 (65 right): each bin's accuracy is its confidence
    top = np.r_[np.full(100, 0.95), np.full(100, 0.65)]
    labels = np.r_[np.zeros(95), np.ones(5), np.zeros(65), np.ones(35)].astype(int)
    table = reliability(_two_class(top), labels)
    assert table.ece == pytest.approx(0.0, abs=1e-12)
    assert table.counts[9] == 100 and table.counts[6] == 100 and table.counts.sum() == 200
    assert table.accuracy[9] == pytest.approx(0.95) and table.confidence[6] == pytest.approx(0.65)
    assert np.isnan(table.accuracy[0])  # an empty bin


def test_an_overconfident_model_has_the_gap_as_its_error():
    top = np.full(200, 0.99)  # sure of every digit, right on 80 %
    labels = np.r_[np.zeros(160), np.ones(40)].astype(int)
    table = reliability(_two_class(top), labels, bins=5)
    assert table.ece == pytest.approx(0.19)
    assert table.overall_accuracy == pytest.approx(0.8) and table.overall_confidence == pytest.approx(0.99)


def test_the_bins_are_closed_on_the_right_and_one_is_in_the_last():
    table = reliability(np.array([[1.0, 0.0], [0.5, 0.5], [0.7, 0.3]]), np.array([0, 0, 1]), bins=2)
    assert list(table.counts) == [1, 2]  # 0.5 in (0, 0.5]; 0.7 and 1.0 in (0.5, 1]


def test_temperature_scaling_keeps_the_ranking_and_softens_or_sharpens():
    p = np.array([[0.7, 0.2, 0.1], [0.05, 0.9, 0.05]])
    assert np.allclose(temperature_scaled(p, 1.0), p)
    soft, sharp = temperature_scaled(p, 2.0), temperature_scaled(p, 0.5)
    assert (soft.argmax(1) == p.argmax(1)).all() and (sharp.argmax(1) == p.argmax(1)).all()
    assert (soft.max(1) < p.max(1)).all() and (sharp.max(1) > p.max(1)).all()
    assert np.allclose(soft.sum(1), 1) and np.allclose(
        temperature_scaled(np.array([[1.0, 0.0]]), 3.0), [[1, 0]]
    )


def test_the_fitted_temperature_undoes_a_known_overconfidence():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(4000, 10)) * 2
    labels = np.array([rng.choice(10, p=np.exp(s) / np.exp(s).sum()) for s in scores])  # calibrated
    calibrated = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    overconfident = temperature_scaled(calibrated, 1 / 3)  # scores three times too large
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)
    before = reliability(overconfident, labels).ece
    after = reliability(temperature_scaled(overconfident, fit_temperature(overconfident, labels)), labels).ece
    assert after < before / 3


@pytest.mark.parametrize(
    ("call", "error", "says"),
    [
        (lambda: reliability(np.ones((3, 2)), np.zeros(3)), ValueError, "adding up to 1"),
        (lambda: reliability(np.full((3, 2), 0.5), np.zeros(4)), ValueError, "3 rows but labels has 4"),
        (
            lambda: reliability(np.full((3, 2), 0.5), np.array([0, 1, 2])),
            ValueError,
            "class numbers from 0 to 1",
        ),
        (lambda: reliability(np.full((3, 2), 0.5), np.zeros(3), bins=0), ValueError, "bins must be"),
        (
            lambda: reliability(np.full(3, 0.5), np.zeros(3)),
            ValueError,
            r"probabilities must be shaped \(n, classes\)",
        ),
        (
            lambda: temperature_scaled(np.full((3, 2), 0.5), 0),
            ValueError,
            "temperature must be a number above 0",
        ),
        (lambda: plot_reliability("table"), TypeError, "table must be a Reliability"),
    ],
)
def test_bad_input_is_refused_with_what_was_expected(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_the_diagram_says_in_words_what_it_draws():
    top = np.r_[np.full(90, 0.99), np.full(10, 0.55)]
    labels = np.r_[np.zeros(89), np.ones(1), np.zeros(5), np.ones(5)].astype(int)
    fig = plot_reliability(reliability(_two_class(top), labels))
    text = alt_text(fig)
    assert "100 test digits in 10 bins" in text and "90 of them fall in the top bin" in text
    assert "right on 98.89% with a mean top probability of 99.00%" in text
    assert "expected calibration error" in text and fig.axes[0].get_title().startswith("Reliability diagram")
