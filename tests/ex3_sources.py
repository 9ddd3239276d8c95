"""A correct ex3 (dropout) submission's pieces, for tests that need a real submission to grade."""

FORWARD = '''def dropout_forward(a, p, train=True, rng=None):
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    mask = (rng.random(a.shape) < p) / p
    return a * mask, mask
'''
BACKWARD = '''def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
'''
#: the whole correct file (full marks)
CORRECT = "import numpy as np\n\n" + FORWARD + "\n" + BACKWARD
