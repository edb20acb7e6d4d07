"""The computations behind the figures, with numpy, TensorFlow/Keras and Pillow (no matplotlib, no
widgets): convolution and pooling by hand, output sizes under padding and stride, receptive fields,
shifted digits, attribution maps and their randomization check, one unit inspected, a drawing made
MNIST-like, and what a model's layers and a training's history hold."""
