"""One-pixel shifts: the images moved without wrapping, the ink a shift cuts off, the accuracy on
shifted copies (split into cut-off and intact digits) and its figure, and how much of a move each
layer keeps."""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.shifts import plot_shift_accuracy
from cnn_helpers.maths.shifts import (
    DIRECTIONS,
    ShiftAccuracy,
    ink_cut_off,
    ink_share_cut,
    shift_accuracy,
    shift_images,
)
from cnn_helpers.maths.what_where import shift_similarity
from figure_checks import assert_readable
from models import small_cnn
import numpy as np
import pytest


def test_plot_shift_accuracy_labels_every_point():
    fig = plot_shift_accuracy([2, -2, 0], [0.8, 0.75, 0.99], baseline=0.1)
    (ax,) = fig.axes
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [-2, 0, 2] and list(line.get_ydata()) == [0.75, 0.99, 0.8]
    assert sorted(t.get_text() for t in ax.texts) == ["75.0%", "80.0%", "99.0%"]
    assert ax.get_lines()[1].get_ydata()[0] == 0.1 and "guessing at random (10%)" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]
    assert ax.get_xlabel() == "shift (pixels)"


def test_plot_shift_accuracy_draws_the_intact_digits_dashed_and_says_its_numbers():
    fig = plot_shift_accuracy([0, 1, 4], [0.99, 0.98, 0.84], intact=[0.99, 0.985, 0.862], baseline=0.1)
    (ax,) = fig.axes
    everything, intact, baseline = ax.get_lines()
    assert (everything.get_linestyle(), everything.get_marker()) == ("-", "o")
    assert (intact.get_linestyle(), intact.get_marker()) == ("--", "s")  # not by colour alone
    assert baseline.get_linestyle() == ":" and list(intact.get_ydata()) == [0.99, 0.985, 0.862]
    assert "86.2%" in [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["test accuracy, all digits", "test accuracy, digits left intact"]
    text = alt_text(fig)
    assert "all digits, 99.0% at 0 pixels, 84.0% at 4" in text and "digits left intact" in text
    assert "86.2% at 4" in text and "guessing at random gives 10%" in text
    assert_readable(fig)
    with pytest.raises(ValueError, match="shifts has 3 values but intact has 2"):
        plot_shift_accuracy([0, 1, 4], [0.9] * 3, intact=[0.9, 0.9])


@pytest.mark.parametrize(
    ("shifts", "accuracies", "baseline", "match"),
    [
        ([0, 1], [0.5], None, "shifts has 2 values but accuracies has 1"),
        ([0], [99.0], None, r"fractions in \[0, 1\]"),
        ([0], [0.9], 2, "baseline must be an accuracy"),
        ([[0]], [0.9], None, "shifts must be shaped"),
    ],
)
def test_plot_shift_accuracy_refuses_bad_input(shifts, accuracies, baseline, match):
    with pytest.raises(ValueError, match=match):
        plot_shift_accuracy(shifts, accuracies, baseline=baseline)


def test_shift_images_moves_without_wrapping():
    images = np.arange(2 * 5 * 6, dtype="float32").reshape(2, 5, 6) + 1
    right_down = shift_images(images, 2, 1)
    np.testing.assert_array_equal(right_down[:, 1:, 2:], images[:, :-1, :-2])
    assert not right_down[:, 0].any() and not right_down[:, :, :2].any()
    left_up = shift_images(images[..., None], -3, -4)
    assert left_up.shape == (2, 5, 6, 1) and left_up.dtype == images.dtype
    np.testing.assert_array_equal(left_up[:, :1, :3, 0], images[:, 4:, 3:])
    assert left_up[:, 1:].sum() == 0 and left_up[:, :, 3:].sum() == 0
    np.testing.assert_array_equal(shift_images(images, 0, 0), images)


def test_shift_images_refuses_bad_input():
    images = np.zeros((2, 5, 6))
    with pytest.raises(ValueError, match=r"dx must be in \[-5, 5\], got 6"):
        shift_images(images, 6, 0)
    with pytest.raises(ValueError, match=r"dy must be in \[-4, 4\], got -5"):
        shift_images(images, 0, -5)
    with pytest.raises(TypeError, match="dx must be an int"):
        shift_images(images, 1.5, 0)
    with pytest.raises(ValueError, match="images must be shaped"):
        shift_images(np.zeros((5, 6)), 1, 1)


def test_the_share_of_ink_cut_off_is_measured_per_copy():
    images = np.zeros((2, 5, 5))
    images[0, 2, 2] = 1.0  # one pixel in the middle
    images[1, :, 4] = 0.5  # a column at the right edge, and
    images[1, 0, 0] = 0.5  # one pixel in the top-left corner
    np.testing.assert_allclose(ink_share_cut(images, 1, 0), [0, 5 / 6])  # right: the column goes
    np.testing.assert_allclose(ink_share_cut(images, -1, 0), [0, 1 / 6])  # left: the corner goes
    np.testing.assert_allclose(ink_share_cut(np.zeros((1, 5, 5)), 2, 2), [0])  # no ink, nothing lost


def test_ink_cut_off_is_exact():
    images = np.zeros((3, 6, 6), "float32")
    images[0, 2, 2] = 1.0  # in the middle
    images[1, 0, 3] = 1e-6  # a faint pixel on the top row still counts
    images[2, 3, 5] = 1.0  # on the right column
    assert ink_cut_off(images, 0, 0).tolist() == [False, False, False]
    assert ink_cut_off(images, 0, -1).tolist() == [False, True, False]  # up
    assert ink_cut_off(images, 1, 0).tolist() == [False, False, True]  # right
    assert ink_cut_off(images[..., None], -2, 2).tolist() == [False, False, False]  # left and down
    assert ink_cut_off(images, 3, 3).tolist() == [False, True, True]


class _InkCounter:
    """A stand-in model: says 1 when the image holds its whole ink (1.0), else 0; records its batches."""

    def __init__(self):
        self.batches = []

    def predict(self, batch, *, batch_size, verbose):
        self.batches.append((batch.shape, batch_size, verbose))
        whole = np.isclose(batch.sum(axis=(1, 2, 3)), 1.0)
        return np.stack([~whole, whole], axis=1).astype("float32")


def test_shift_accuracy_splits_cut_off_and_intact_digits():
    images = np.zeros((4, 6, 6), "float32")
    images[0, 2, 2] = images[1, 0, 3] = images[2, 3, 5] = images[3, 3, 3] = 1.0
    model = _InkCounter()
    result = shift_accuracy(model, images, np.ones(4, int), shifts=[0, 1], batch_size=7)
    assert isinstance(result, ShiftAccuracy)
    assert model.batches == [((4, 6, 6, 1), 7, 0), ((16, 6, 6, 1), 7, 0)]  # one copy unshifted, four moved
    assert result.pixels.tolist() == [0, 1]
    # Shifted by 1: #1 loses its ink moving up, #2 moving right; the 14 others keep it and are read.
    assert result.count_cut.tolist() == [0, 2] and result.count_intact.tolist() == [4, 14]
    np.testing.assert_allclose(result.cut_off, [0, 2 / 16])
    np.testing.assert_allclose(result.accuracy, [1, 14 / 16])
    assert np.isnan(result.accuracy_cut[0]) and result.accuracy_cut[1] == 0
    np.testing.assert_allclose(result.accuracy_intact, [1, 1])
    # by direction: #2 is lost moving right, #1 moving up; left and down keep all four
    np.testing.assert_allclose(result.by_direction, [[1, 1, 1, 1], [3 / 4, 1, 1, 3 / 4]])
    assert np.isnan(result.ink_lost[0]) and result.ink_lost[1] == 1.0  # each cut copy lost its one pixel
    table = str(result).splitlines()
    assert table[0].split()[2:6] == ["right", "left", "down", "up"]
    assert table[1].split()[:8] == ["0", "100.0%", "100.0%", "100.0%", "100.0%", "100.0%", "0.0%", "-"]
    assert table[2].split()[:8] == ["1", "87.5%", "75.0%", "100.0%", "100.0%", "75.0%", "12.5%", "100.0%"]
    assert "0.0% of 2" in table[2]
    one_hot = shift_accuracy(model, images[..., None], np.eye(2)[np.ones(4, int)], shifts=[1])
    np.testing.assert_allclose(one_hot.accuracy, [14 / 16])


def test_shift_accuracy_refuses_bad_input():
    images = np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match="shifts must be whole numbers of pixels >= 0"):
        shift_accuracy(_InkCounter(), images, [0, 1], shifts=[-1])
    with pytest.raises(ValueError, match="shifts must be whole numbers"):
        shift_accuracy(_InkCounter(), images, [0, 1], shifts=[0.5])
    with pytest.raises(ValueError, match="labels has 3 entries but there are 2 images"):
        shift_accuracy(_InkCounter(), images, [0, 1, 2])
    with pytest.raises(ValueError, match="must have one channel"):
        shift_accuracy(_InkCounter(), np.zeros((2, 6, 6, 3)), [0, 1])


def test_shift_similarity_measures_what_each_layer_keeps_of_a_move():
    model = small_cnn(8, filters=2, classes=3, seed=0)
    images = np.zeros((3, 8, 8), "float32")
    images[:, 2:6, 3] = 1.0  # a vertical stroke
    result = shift_similarity(model, images, shifts=(1, 2))
    conv, pool = model.layers[0].name, model.layers[1].name
    assert result.layers == ["pixels", conv, pool]  # no Flatten (a copy), no output layer
    assert result.similarity.shape == (3, 2)
    assert result.similarity[0, 0] == pytest.approx(0.0)  # a one-pixel-wide stroke moved 1: no overlap
    assert str(result).splitlines()[0].split() == [
        "layer",
        "moved",
        "1",
        "px",
        "moved",
        "2",
        "px",
        "other",
        "digit",
    ]
    assert result.unrelated.shape == (3,)  # one reference per layer: each digit against the next
    assert result.unrelated[0] == pytest.approx(1.0)  # here all three digits are the same stroke
    with pytest.raises(ValueError, match="shifts must be whole numbers of pixels >= 1"):
        shift_similarity(model, images, shifts=(0,))


class _Scripted:
    """A stand-in model that reads a copy right where its pixel (0, 0) is 0: the tests mark misread copies."""

    def predict(self, batch, *, batch_size, verbose):
        right = batch[:, 0, 0, 0] == 0
        return np.stack([~right, right], axis=1).astype("float32")


def test_within_direction_compares_cut_and_intact_copies_against_the_same_digits_unshifted():
    # 4 digits in 6x6: #0 and #1 touch the right border (cut when moved right), #2 and #3 sit inside.
    images = np.zeros((4, 6, 6), "float32")
    images[0, 3, 5] = images[1, 2, 5] = images[2, 3, 3] = images[3, 2, 2] = 1.0
    images[3, 1, 1] = 0.5  # moved up and left by 1, #3 puts ink on (0, 0): misread then
    result = shift_accuracy(_Scripted(), images, np.ones(4, int), shifts=[0, 1])
    assert result.correct.shape == result.cut.shape == (2, 4, 4) and result.correct_unshifted.all()
    table = result.within_direction(1)
    right, left, down, up = range(4)
    assert table.count_cut[right] == 2 and table.cut_off[right] == 0.5 and table.count_intact[right] == 2
    assert table.accuracy_cut[right] == 1 and table.unshifted_cut[right] == 1  # the same digits unshifted
    assert table.count_cut[left] == 0 and np.isnan(table.accuracy_cut[left])
    # moved left #3's (1, 1) goes to (1, 0), not (0, 0): read; moved up it goes to (0, 1): read too
    assert table.accuracy_intact.tolist() == [1, 1, 1, 1]
    assert table.p.shape == (4,) and np.all((table.p >= 0) & (table.p <= 1))
    lines = str(table).splitlines()
    assert lines[1].split()[:4] == ["1", "px", "right", "50.0%"] and "100.0% (100.0%)" in lines[1]
    with pytest.raises(ValueError, match=r"pixels must be a shift measured above 0 pixels, one of \[1\]"):
        result.within_direction(0)


def test_a_cut_that_costs_digits_is_found_and_an_intact_loss_is_not_blamed_on_the_cut():
    class CutMeansWrong:  # misreads exactly the copies that lost ink
        def __init__(self, images):
            self.total = images.sum(axis=(1, 2))

        def predict(self, batch, *, batch_size, verbose):
            whole = np.isin(np.round(batch.sum(axis=(1, 2, 3)), 4), np.round(self.total, 4))
            return np.stack([~whole, whole], axis=1).astype("float32")

    images = np.zeros((60, 8, 8), "float32")
    for i in range(60):
        images[i, 3, 7 if i < 30 else 4] = 1.0 + i  # half touch the right border
    result = shift_accuracy(CutMeansWrong(images), images, np.ones(60, int), shifts=[0, 1])
    table = result.within_direction(1)
    assert table.accuracy_cut[0] == 0 and table.accuracy_intact[0] == 1 and table.p[0] < 1e-6
    control = shift_accuracy(_Scripted(), images, np.ones(60, int), shifts=[0, 1]).within_direction(1)
    assert control.p[0] == 1  # the cut costs nothing here: no verdict against it


def test_direction_pair_compares_two_directions_on_the_digits_intact_both_ways():
    images = np.zeros((40, 6, 6), "float32")
    images[:, 2, 2] = 1.0
    images[:, 1, 2] = 0.5  # moved up by 1 this lands on row 0 ...
    images[:20, 1, 1] = 0.5  # ... and for these twenty on (0, 1); moved up and left, (0, 0)
    images[:, 2, 1] = 0.0
    result = shift_accuracy(_Scripted(), images, np.ones(40, int), shifts=[1])
    right, up, n, p = result.direction_pair(1, "right", "up")
    assert (right, up, n) == (1.0, 1.0, 40) and p == 1.0
    with pytest.raises(ValueError, match="first must be one of"):
        result.direction_pair(1, "sideways", "up")


def test_kept_and_its_interval_over_digits():
    model = small_cnn(8, filters=2, classes=3, seed=0)
    rng = np.random.default_rng(0)
    images = (rng.random((40, 8, 8)) > 0.6).astype("float32")
    right = shift_similarity(model, images, shifts=(1, 2))
    down = shift_similarity(model, images, shifts=(1, 2), direction="down")
    assert right.per_digit.shape == (3, 2, 40) and right.unrelated_per_digit.shape == (3, 40)
    np.testing.assert_allclose(right.per_digit.mean(axis=2), right.similarity)
    other = right.unrelated[:, None]
    np.testing.assert_allclose(right.kept, (right.similarity - other) / (1 - other))
    assert down.direction == "down" and not np.allclose(down.similarity, right.similarity)
    low, high = right.kept_interval(2, n_resamples=500)
    assert low.shape == (3,) and np.all(low <= right.kept[:, 1]) and np.all(right.kept[:, 1] <= high)
    assert np.all(high - low > 0)  # 40 random digits: a real spread
    again = right.kept_interval(2, n_resamples=500)
    np.testing.assert_array_equal(again[0], low)  # seeded
    gain, g_low, g_high = right.gain_interval(2, n_resamples=500)
    np.testing.assert_allclose(gain, np.diff(right.kept[:, 1]))
    assert np.all(g_low <= gain) and np.all(gain <= g_high)
    with pytest.raises(ValueError, match=r"pixels must be one of the shifts measured, \[1, 2\]"):
        right.kept_interval(3)
    with pytest.raises(ValueError, match="direction must be one of"):
        shift_similarity(model, images, direction="diagonal")


def test_direction_pair_finds_a_direction_that_costs_digits_without_cutting_ink():
    images = np.zeros((40, 6, 6), "float32")
    images[:, 1, 0] = images[:, 3, 3] = 1.0  # moved up by 1, the ink reaches (0, 0): misread, none cut
    result = shift_accuracy(_Scripted(), images, np.ones(40, int), shifts=[1])
    assert not result.cut[0, DIRECTIONS.index("up")].any() and not result.cut[0, 0].any()
    right, up, n, p = result.direction_pair(1, "right", "up")
    assert (right, up, n) == (1.0, 0.0, 40) and p < 1e-10
