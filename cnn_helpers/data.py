"""Loading MNIST, from a verified local file or through Keras' download.

Used by the notebook's "Load the data" section.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
import zipfile
import zlib

import keras
import numpy as np

__all__ = ["MNIST_SHA256", "MNIST_SHAPES", "MnistFileError", "load_mnist"]

#: Name of the environment variable that points at a local ``mnist.npz``.
ENV_VAR = "MNIST_NPZ"

#: Shape of each array, as ``keras.datasets.mnist.load_data()`` returns it (all uint8).
MNIST_SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

#: SHA-256 of each array's raw bytes (``hashlib.sha256(a.tobytes())``, C order).
MNIST_SHA256: dict[str, str] = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}

Split = tuple[np.ndarray, np.ndarray]


class MnistFileError(ValueError):
    """A local MNIST file that cannot be read or does not hold MNIST's exact arrays."""


def load_mnist(path: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """Return MNIST as ``((x_train, y_train), (x_test, y_test))``, verified.

    The arrays are uint8 and shaped like ``keras.datasets.mnist.load_data()``'s:
    ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``.

    Where it looks, in order:

    1. ``path``, a local ``.npz`` file;
    2. the environment variable ``MNIST_NPZ`` (for offline use:
       ``MNIST_NPZ=/path/to/mnist.npz``);
    3. Keras' own download, cached in ``~/.keras/datasets``.

    Every array is checked (keys, shapes, dtypes and SHA-256 of its bytes) before
    anything is returned. A missing file raises ``FileNotFoundError``; a file that
    is not a readable ``.npz`` or does not hold MNIST raises ``MnistFileError``;
    a failed download raises ``ConnectionError`` saying how to supply the file.
    """
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        arrays = _read_npz(Path(path))
        source = str(path)
    else:
        arrays = _download()
        source = "Keras' MNIST download (~/.keras/datasets/mnist.npz)"
    _verify(arrays, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _download() -> dict[str, np.ndarray]:
    """Fetch MNIST with Keras (which checks the file's hash) and return its four arrays."""
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:  # Keras wraps network errors in a bare Exception
        raise ConnectionError(
            "Could not download MNIST with keras.datasets.mnist.load_data() "
            f"({type(err).__name__}: {err}). If this machine is offline, supply a local "
            f"copy: set the environment variable {ENV_VAR}=/path/to/mnist.npz, "
            "or call load_mnist(path='/path/to/mnist.npz')."
        ) from err
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read the four arrays of an ``.npz`` file without allowing pickles."""
    if not path.is_file():
        raise FileNotFoundError(
            f"MNIST file not found: {str(path)!r}. Pass an existing .npz file as path= "
            f"or set {ENV_VAR}=/path/to/mnist.npz."
        )
    if not zipfile.is_zipfile(path):
        raise MnistFileError(
            f"{str(path)!r} is not an .npz (zip) archive: the file is truncated or not MNIST."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = sorted(npz.files)
            expected = sorted(MNIST_SHAPES)
            if keys != expected:
                raise MnistFileError(f"{str(path)!r} holds the arrays {keys}; expected exactly {expected}.")
            return {key: npz[key] for key in expected}
    except MnistFileError:
        raise
    except ValueError as err:  # numpy refuses object arrays when allow_pickle=False
        raise MnistFileError(f"{str(path)!r} holds pickled (object) data, which is refused: {err}") from err
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        raise MnistFileError(f"{str(path)!r} is corrupt or truncated and cannot be read: {err}") from err


def _verify(arrays: dict[str, np.ndarray], source: str) -> None:
    """Raise ``MnistFileError`` unless every array has MNIST's shape, dtype and digest."""
    for key, shape in MNIST_SHAPES.items():
        array = arrays[key]
        if array.dtype != np.uint8 or array.shape != shape:
            raise MnistFileError(f"{source}: {key} is {array.dtype} {array.shape}; expected uint8 {shape}.")
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if digest != MNIST_SHA256[key]:
            raise MnistFileError(
                f"{source}: {key} has SHA-256 {digest[:16]}..., not MNIST's "
                f"{MNIST_SHA256[key][:16]}...; the file is damaged or is not MNIST."
            )
