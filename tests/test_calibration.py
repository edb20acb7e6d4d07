"""Calibration: the reliability table (equal-width and equal-mass bins, each bin's interval, the
overall gap and its standard error), temperature scaling on the logits, the bootstrap comparison of
ECE, NLL and Brier, and the reliability diagram (explore notebook, part 7)."""

from __future__ import annotations

from cnn_helpers import fit_temperature, plot_reliability, reliability, temperature_scaled
from cnn_helpers.figures._base import alt_text
from cnn_helpers.maths.calibration_change import calibration_change, ece_interval
from cnn_helpers.maths.temperature import model_logits
import keras
from models import no_convolution, small_cnn
import numpy as np
import pytest
from scipy import special


def _two_class(top: np.ndarray) -> np.ndarray:
    return np.stack([top, 1 - top], axis=1)


def _calibrated(n: int, seed: int = 0, scale: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Logits ``(n, 10)`` and labels drawn from their own softmax: a calibrated model."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, 10)) * scale
    p = special.softmax(logits, axis=1)
    labels = (p.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return logits, labels


# ----- the reliability table -------------------------------------------------------------------


def test_a_model_right_as_often_as_it_says_has_no_calibration_error():
    # 100 digits at 0.95 (95 right) and 100 at 0.65 (65 right): each bin's accuracy is its confidence
    top = np.r_[np.full(100, 0.95), np.full(100, 0.65)]
    labels = np.r_[np.zeros(95), np.ones(5), np.zeros(65), np.ones(35)].astype(int)
    table = reliability(_two_class(top), labels)
    assert table.ece == pytest.approx(0.0, abs=1e-12)
    assert table.counts[9] == 100 and table.counts[6] == 100 and table.counts.sum() == 200
    assert table.accuracy[9] == pytest.approx(0.95) and table.confidence[6] == pytest.approx(0.65)
    assert list(table.mistakes[[6, 9]]) == [35, 5]
    assert np.isnan(table.accuracy[0]) and np.isnan(table.accuracy_low[0])  # an empty bin
    assert table.gap == pytest.approx(0.0, abs=1e-12) and table.within_noise()
    assert table.bins_within_interval == 2


def test_an_overconfident_model_has_the_gap_as_its_error_and_beyond_its_noise():
    top = np.full(200, 0.99)  # sure of every digit, right on 80 %
    labels = np.r_[np.zeros(160), np.ones(40)].astype(int)
    table = reliability(_two_class(top), labels, bins=5)
    assert table.ece == pytest.approx(0.19)
    assert table.overall_accuracy == pytest.approx(0.8) and table.overall_confidence == pytest.approx(0.99)
    right = (labels == 0).astype(float)
    assert table.standard_error == pytest.approx(np.std(right - top, ddof=1) / np.sqrt(200))
    assert table.gap == pytest.approx(-0.19) and not table.within_noise()
    assert table.bins_within_interval == 0  # 0.99 lies far above the interval of 160 right in 200


def test_a_small_gap_on_few_digits_is_within_noise_and_the_same_gap_on_many_is_not():
    # right on 9 of 10 at 0.95: a gap of -0.05 is half a standard error; on 10,000 digits it is not
    few = reliability(_two_class(np.full(10, 0.95)), np.r_[np.zeros(9), 1].astype(int))
    many = reliability(_two_class(np.full(10_000, 0.95)), np.r_[np.zeros(9000), np.ones(1000)].astype(int))
    assert few.gap == pytest.approx(many.gap) == pytest.approx(-0.05)
    assert few.within_noise() and not many.within_noise()


def test_each_bin_has_the_clopper_pearson_interval_of_its_accuracy():
    top = np.r_[np.full(100, 0.99), np.full(20, 0.75)]
    labels = np.r_[np.zeros(100), np.zeros(10), np.ones(10)].astype(int)
    table = reliability(_two_class(top), labels)
    assert table.accuracy_high[9] == 1.0 and table.accuracy_low[9] == pytest.approx(0.025 ** (1 / 100))
    assert table.accuracy_low[7] < 0.5 < table.accuracy_high[7] < 0.75  # 10 of 20: 0.27 to 0.73


def test_the_bins_are_closed_on_the_right_and_one_is_in_the_last():
    table = reliability(np.array([[1.0, 0.0], [0.5, 0.5], [0.7, 0.3]]), np.array([0, 0, 1]), bins=2)
    assert list(table.counts) == [1, 2]  # 0.5 in (0, 0.5]; 0.7 and 1.0 in (0.5, 1]


def test_equal_mass_bins_hold_the_same_count_even_where_the_probabilities_tie():
    logits, labels = _calibrated(1000)
    table = reliability(temperature_scaled(logits), labels, equal_mass=True)
    assert list(table.counts) == [100] * 10 and table.equal_mass
    assert np.all(np.diff(table.edges) >= 0) and np.all(np.diff(table.confidence) > 0)
    tied = reliability(np.full((30, 2), 0.5), np.zeros(30), bins=3, equal_mass=True)
    assert list(tied.counts) == [10, 10, 10]
    width = reliability(np.full((30, 2), 0.5), np.zeros(30), bins=3)  # the control: one bin holds all
    assert sorted(width.counts) == [0, 0, 30]


def test_one_minus_p_is_read_from_the_other_classes_where_p_rounds_to_one():
    logits = np.array([[30.0, 0.0], [0.0, 25.0]])  # 1 - p is about 1e-13 and 1e-11
    labels = np.array([0, 1])
    exact = (np.exp(-30) + np.exp(-25)) / 2
    rounded = temperature_scaled(logits).astype(np.float32)  # what model.predict returns
    assert np.all(1 - rounded.max(axis=1) == 0)  # the control: 1 - p, read from p, is gone
    for probabilities in (temperature_scaled(logits), rounded):
        said = reliability(probabilities, labels, bins=1).said_error[0]
        assert said == pytest.approx(exact, rel=1e-6)


# ----- temperature ----------------------------------------------------------------------------


def test_temperature_scaling_is_the_softmax_of_the_divided_logits():
    z = np.array([[2.0, 0.5, -1.0], [0.0, 3.0, 0.0]])
    assert np.allclose(temperature_scaled(z), special.softmax(z, axis=1))
    soft, sharp = temperature_scaled(z, 2.0), temperature_scaled(z, 0.5)
    assert np.allclose(soft, special.softmax(z / 2, axis=1))
    assert (soft.argmax(1) == z.argmax(1)).all() and (sharp.argmax(1) == z.argmax(1)).all()
    assert (soft.max(1) < temperature_scaled(z).max(1)).all() and (sharp.max(1) > soft.max(1)).all()
    assert temperature_scaled(z).dtype == np.float64
    assert np.allclose(temperature_scaled(np.array([[1000.0, 0.0]]), 3.0), [[1, 0]])  # no overflow


def test_the_fitted_temperature_undoes_a_known_overconfidence():
    logits, labels = _calibrated(4000)
    assert fit_temperature(logits, labels) == pytest.approx(1.0, abs=0.08)  # calibrated: about 1
    fitted = fit_temperature(3 * logits, labels)  # scores three times too large
    assert fitted == pytest.approx(3.0, rel=0.08)
    before = reliability(temperature_scaled(3 * logits), labels).ece
    after = reliability(temperature_scaled(3 * logits, fitted), labels).ece
    assert after < before / 3


def test_the_fitted_temperature_is_the_minimum_of_the_cross_entropy():
    logits, labels = _calibrated(500, seed=1, scale=4.0)

    def loss(t: float) -> float:
        return float(-np.mean(np.log(temperature_scaled(logits, t)[np.arange(500), labels])))

    fitted = fit_temperature(logits, labels)
    grid = np.linspace(fitted * 0.9, fitted * 1.1, 201)
    assert loss(fitted) <= min(loss(t) for t in grid) + 1e-12
    assert grid[np.argmin([loss(t) for t in grid])] == pytest.approx(fitted, rel=2e-3)


# ----- ECE, NLL and Brier before and after, with bootstrap intervals ---------------------------------


def test_the_change_names_an_improvement_and_its_interval_excludes_zero():
    logits, labels = _calibrated(3000)
    before, after = temperature_scaled(3 * logits), temperature_scaled(logits)
    change = calibration_change(before, after, labels, resamples=300, seed=1, after_label="with T")
    assert change.digits == 3000 and change.copies == 1 and change.resamples == 300
    assert np.all(change.change < 0) and np.all(change.high < 0) and np.all(change.low <= change.change)
    assert change.verdicts() == [
        f"{s}: lower with T (the interval is below 0)" for s in ("ECE", "NLL", "Brier")
    ]
    # the observed scores are the table's ECE and the textbook NLL and Brier score
    assert change.before[0] == pytest.approx(reliability(before, labels).ece)
    assert change.before[1] == pytest.approx(-np.mean(np.log(before[np.arange(3000), labels])))
    assert change.after[2] == pytest.approx(np.mean(np.sum((after - np.eye(10)[labels]) ** 2, axis=1)))


def test_a_change_within_the_noise_is_called_so():
    logits, labels = _calibrated(2000, seed=2)
    change = calibration_change(
        temperature_scaled(logits), temperature_scaled(logits, 1.02), labels, resamples=300, seed=3
    )
    assert change.low[0] < 0 < change.high[0]  # ECE: two calibrated sets, no real difference
    assert change.verdicts()[0] == "ECE: no change beyond noise (the interval includes 0)"
    same = calibration_change(temperature_scaled(logits), temperature_scaled(logits), labels, resamples=50)
    assert np.all(same.low == 0) and np.all(same.high == 0)


def test_copies_of_a_digit_are_resampled_together():
    logits, labels = _calibrated(400, seed=4)
    one = temperature_scaled(logits)[None], temperature_scaled(logits, 1.5)[None]
    eight = np.repeat(one[0], 8, axis=0), np.repeat(one[1], 8, axis=0)  # eight identical copies
    kept = calibration_change(*one, labels, resamples=200, seed=5)
    together = calibration_change(*eight, labels, resamples=200, seed=5)
    assert together.copies == 8 and together.digits == 400
    assert np.allclose(together.low, kept.low) and np.allclose(together.high, kept.high)  # no more data
    apart = calibration_change(  # the control: copies taken as 3,200 digits seem to give narrower intervals
        eight[0].reshape(1, -1, 10), eight[1].reshape(1, -1, 10), np.tile(labels, 8), resamples=200, seed=5
    )
    assert np.all(apart.high - apart.low < 0.6 * (kept.high - kept.low))


def test_the_scores_of_copies_count_every_copy():
    logits, labels = _calibrated(300, seed=11)
    copies = np.stack([temperature_scaled(logits), temperature_scaled(3 * logits)])  # two unlike copies
    change = calibration_change(copies, copies, labels, resamples=20)
    flat, tiled = copies.reshape(-1, 10), np.tile(labels, 2)
    assert change.before[0] == pytest.approx(reliability(flat, tiled).ece)
    assert change.before[1] == pytest.approx(-np.mean(np.log(flat[np.arange(600), tiled])))


def test_the_bootstrap_is_seeded():
    logits, labels = _calibrated(500, seed=6)
    sides = temperature_scaled(logits), temperature_scaled(logits, 1.3)
    first, again = (calibration_change(*sides, labels, resamples=100, seed=9) for _ in range(2))
    other = calibration_change(*sides, labels, resamples=100, seed=10)
    assert np.array_equal(first.low, again.low) and not np.array_equal(first.low, other.low)


def test_the_change_prints_one_line_per_score():
    logits, labels = _calibrated(300, seed=7)
    change = calibration_change(
        temperature_scaled(logits),
        temperature_scaled(logits, 2.0),
        labels,
        resamples=50,
        name="clean",
        before_label="as trained",
        after_label="with T",
    )
    lines = str(change).splitlines()
    assert lines[0].startswith("as trained -> with T, on 300 digits; 95% intervals")
    assert [line.split(":")[0] for line in lines[1:]] == ["clean, ECE", "clean, NLL", "clean, Brier"]
    ece = change.before[0], change.after[0], change.change[0], change.low[0], change.high[0]
    assert lines[1] == (
        f"clean, ECE: {ece[0]:.4f} -> {ece[1]:.4f}, change {ece[2]:+.4f} "
        f"(95% interval {ece[3]:+.4f} to {ece[4]:+.4f})"
    )


# ----- the model's logits -----------------------------------------------------------------------------


def test_the_logits_are_what_the_softmax_reads_in_any_batch_size(random_uint8_digits):
    images, _ = random_uint8_digits
    x = images[:7, :, :, None].astype("float32") / 255
    model = small_cnn(seed=0)
    logits = model_logits(model, x, batch_size=3)
    assert logits.shape == (7, 10) and logits.dtype == np.float32
    assert np.allclose(special.softmax(logits, axis=1), model.predict(x, verbose=0), atol=1e-6)
    assert np.allclose(model_logits(model, x[..., 0]), logits, atol=1e-5)  # (n, h, w) and one batch


# ----- bad input ----------------------------------------------------------------------------------


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
            lambda: reliability(np.full((3, 2), 0.5), np.zeros(3), bins=4, equal_mass=True),
            ValueError,
            "need at least 4 digits",
        ),
        (lambda: reliability(np.full((3, 2), 0.5), np.zeros(3), equal_mass=1), TypeError, "equal_mass"),
        (
            lambda: reliability(np.full(3, 0.5), np.zeros(3)),
            ValueError,
            r"probabilities must be shaped \(n, classes\)",
        ),
        (
            lambda: temperature_scaled(np.zeros((3, 2)), 0),
            ValueError,
            "temperature must be a number above 0",
        ),
        (lambda: temperature_scaled(np.full((3, 2), np.nan)), ValueError, "logits holds NaN"),
        (lambda: fit_temperature(np.zeros((3, 2)), np.zeros(2)), ValueError, "logits has 3 rows"),
        (
            lambda: calibration_change(np.full((3, 2), 0.5), np.full((4, 2), 0.5), np.zeros(3)),
            ValueError,
            "give the same digits",
        ),
        (
            lambda: calibration_change(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros(3)),
            ValueError,
            "before must hold rows",
        ),
        (
            lambda: calibration_change(np.full((3, 2), 0.5), np.full((3, 2), 0.5), np.zeros(3), seed=1.5),
            TypeError,
            "seed must be an int",
        ),
        (
            lambda: calibration_change(np.full((2, 3, 2), 0.5), np.full((2, 3, 2), 0.5), np.zeros(2)),
            ValueError,
            "each copy of probabilities has 3 digits but labels has 2",
        ),
        (
            lambda: model_logits(
                keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]),
                np.zeros((2, 28, 28)),
            ),
            ValueError,
            "end it with a softmax",
        ),
        (lambda: model_logits(no_convolution(), np.zeros((2, 27, 27, 1))), ValueError, "the model takes"),
        (lambda: plot_reliability("table"), TypeError, "equal_width must be a Reliability"),
        (
            lambda: plot_reliability(reliability(np.full((3, 2), 0.5), np.zeros(3), bins=3, equal_mass=True)),
            ValueError,
            "must have equal-width bins",
        ),
    ],
)
def test_bad_input_is_refused_with_what_was_expected(call, error, says):
    with pytest.raises(error, match=says):
        call()


# ----- the diagram ------------------------------------------------------------------------------------


def test_the_diagram_says_in_words_what_it_draws():
    top = np.r_[np.full(90, 0.99), np.full(10, 0.55)]
    labels = np.r_[np.zeros(89), np.ones(1), np.zeros(5), np.ones(5)].astype(int)
    fig = plot_reliability(reliability(_two_class(top), labels))
    text = alt_text(fig)
    assert text.startswith("Reliability of 100 test digits:") and "10 equal-width bins" in text
    assert "90 digits in the bin from 0.9 to 1.0, right on 98.89% at 99.00%" in text
    assert "expected calibration error" in text and len(fig.axes) == 1
    assert "Right," not in text  # one panel: no equal-mass bins


def test_the_confident_panel_names_its_bins_and_their_mistakes():
    logits, labels = _calibrated(2000, seed=8, scale=6.0)
    p, q = temperature_scaled(logits), temperature_scaled(logits, 1.5)
    fig = plot_reliability(
        {"as trained": reliability(p, labels), "with T": reliability(q, labels)},
        {
            "as trained": reliability(p, labels, equal_mass=True),
            "with T": reliability(q, labels, equal_mass=True),
        },
        title="Reliability of copies",
    )
    text = alt_text(fig)
    table = reliability(p, labels, equal_mass=True)
    assert text.startswith("Reliability of copies:") and "10 equal-mass bins, both axes" in text
    assert "as trained (circles, solid line, 2,000 digits)" in text and "with T (squares, dashed line" in text
    assert "as trained, about 200 digits a bin" in text
    mistakes = int(table.mistakes[-1])
    assert f"has {mistakes} mistake" in text and f"at least {table.accuracy_low[-1]:.4f}" in text
    assert f"{int(np.sum(table.mistakes == 0))} of 10 bins have no mistake" in text
    assert [ax.get_title() for ax in fig.axes] == ["10 equal-width bins", "10 equal-mass bins"]
    assert fig.axes[0].child_axes[0].get_xlabel() == "as trained: digits per bin"  # the first set's counts


def test_the_ece_interval_is_scipys_bootstrap_over_digits_and_holds_the_ece():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, 2000)
    logits = rng.normal(0, 1, (2000, 10))
    logits[np.arange(2000), labels] += 2.5  # right about three times in four, and overconfident
    probabilities = temperature_scaled(logits, 0.5)
    ece = reliability(probabilities, labels).ece
    low, high = ece_interval(probabilities, labels, resamples=400, seed=1)
    assert low < ece < high and high - low < 0.05
    assert (low, high) == ece_interval(probabilities, labels, resamples=400, seed=1)  # seeded
    wider = ece_interval(probabilities[:200], labels[:200], resamples=400, seed=1)
    assert wider[1] - wider[0] > high - low  # fewer digits: a wider interval
    with pytest.raises(ValueError, match="labels"):
        ece_interval(probabilities, labels[:5])
