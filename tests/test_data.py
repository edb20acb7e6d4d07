"""load_mnist: MNIST's exact arrays from a local file, and a clear refusal of anything else."""

from __future__ import annotations

import zipfile

from cnn_helpers import MnistFileError, load_mnist
import keras
import numpy as np
import pytest


def _save(path, **arrays):
    np.savez(path, **arrays)
    return path


def _arrays(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def test_returns_mnist_exactly(mnist_file):
    (x_train, y_train), (x_test, y_test) = load_mnist(mnist_file)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    # Facts about MNIST (shared/data/README.md) that do not come from the loader's own digest table.
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert round(float(x_train.mean() / 255), 4) == 0.1307


def test_environment_variable_is_used(monkeypatch, mnist_file, tmp_path):
    monkeypatch.setenv("MNIST_NPZ", mnist_file)
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28)
    missing = tmp_path / "nowhere.npz"
    monkeypatch.setenv("MNIST_NPZ", str(missing))
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load_mnist()


def test_empty_environment_variable_means_unset(monkeypatch, mnist):
    monkeypatch.setenv("MNIST_NPZ", "")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: mnist)  # the download is used
    assert load_mnist()[0][0] is mnist[0][0]


def test_path_argument_beats_environment_variable(monkeypatch, mnist_file, tmp_path):
    monkeypatch.setenv("MNIST_NPZ", str(tmp_path / "bad.npz"))
    (x_train, _), _ = load_mnist(mnist_file)
    assert x_train.shape == (60000, 28, 28)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.npz.*MNIST_NPZ"):
        load_mnist(tmp_path / "missing.npz")


def test_path_of_wrong_type():
    with pytest.raises(TypeError, match="path"):
        load_mnist(42)


def test_truncated_file(mnist_file, tmp_path):
    data = open(mnist_file, "rb").read()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(MnistFileError, match="truncated"):
        load_mnist(bad)


def test_not_a_zip_file(tmp_path):
    bad = tmp_path / "text.npz"
    bad.write_text("this is not MNIST\n" * 100)
    with pytest.raises(MnistFileError, match="not an .npz"):
        load_mnist(bad)


def test_corrupted_bytes_inside_the_archive(mnist_file, tmp_path):
    data = bytearray(open(mnist_file, "rb").read())
    with zipfile.ZipFile(mnist_file) as archive:
        info = archive.getinfo("x_train.npy")
    start = info.header_offset + 30 + len(info.filename) + 4096  # inside x_train's compressed bytes
    data[start : start + 64] = bytes(64)
    bad = tmp_path / "corrupted.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(MnistFileError, match="corrupted.npz"):
        load_mnist(bad)


def test_wrong_content_is_refused(mnist, tmp_path):
    arrays = _arrays(mnist)
    x_test = arrays["x_test"].copy()
    x_test[0, 14, 14] ^= 1  # one pixel off by one
    bad = _save(tmp_path / "almost.npz", **{**arrays, "x_test": x_test})
    with pytest.raises(MnistFileError, match="x_test has SHA-256"):
        load_mnist(bad)


def test_shuffled_labels_are_refused(mnist, tmp_path):
    arrays = _arrays(mnist)
    bad = _save(tmp_path / "shuffled.npz", **{**arrays, "y_train": arrays["y_train"][::-1].copy()})
    with pytest.raises(MnistFileError, match="y_train"):
        load_mnist(bad)


def test_wrong_dtype_and_shape(mnist, tmp_path):
    arrays = _arrays(mnist)
    bad = _save(tmp_path / "float.npz", **{**arrays, "x_train": arrays["x_train"].astype("float32")})
    with pytest.raises(MnistFileError, match="x_train is float32"):
        load_mnist(bad)
    bad = _save(tmp_path / "short.npz", **{**arrays, "y_test": arrays["y_test"][:100]})
    with pytest.raises(MnistFileError, match=r"y_test is uint8 \(100,\)"):
        load_mnist(bad)


def test_wrong_keys(mnist, tmp_path):
    arrays = _arrays(mnist)
    renamed = {("images" if k == "x_train" else k): v for k, v in arrays.items()}
    with pytest.raises(MnistFileError, match="expected exactly"):
        load_mnist(_save(tmp_path / "renamed.npz", **renamed))


def test_pickled_content_is_refused(mnist, tmp_path):
    arrays = _arrays(mnist)
    objects = np.empty(3, dtype=object)
    objects[:] = [1, "two", [3]]
    bad = _save(tmp_path / "pickled.npz", **{**arrays, "y_test": objects})
    with pytest.raises(MnistFileError, match="pickled"):
        load_mnist(bad)


def test_offline_download_says_how_to_supply_the_file(monkeypatch):
    monkeypatch.delenv("MNIST_NPZ", raising=False)

    def no_network():
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    with pytest.raises(ConnectionError, match=r"MNIST_NPZ=/path/to/mnist\.npz"):
        load_mnist()


def test_download_is_verified_too(monkeypatch, mnist):
    monkeypatch.delenv("MNIST_NPZ", raising=False)
    (x_train, y_train), (x_test, y_test) = mnist
    monkeypatch.setattr(
        keras.datasets.mnist, "load_data", lambda: ((x_train, y_train), (x_test, y_test[::-1].copy()))
    )
    with pytest.raises(MnistFileError, match="y_test"):
        load_mnist()
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: mnist)
    assert load_mnist()[1][1] is y_test
