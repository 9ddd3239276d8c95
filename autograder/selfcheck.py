"""Grade the trusted reference against itself with numerical gradient checks.

Every analytic gradient of ``reference_impl`` (activation derivatives, loss
gradients, backprop through an MLP and the two-layer net, batch norm, L2)
is compared with centered differences of the reference's own forward
function: the instructor's sanity check before grading anyone, and the
README's default job until the demo course exists. Imports the reference
lazily, so a student install without it can still import this package.
"""
from __future__ import annotations

from .messages import as_msg
from .results import CheckResult, ExerciseResult


def _cases(rng):
    """Yield (name, f, x, analytic gradient, method) for each reference gradient."""
    import numpy as np

    import reference_impl as R
    from reference_impl import losses

    z = rng.standard_normal((4, 6)) * 2.0
    z[np.abs(z) < 0.05] = 0.5  # keep off the ReLU kink: the check avoids it, never straddles it
    w = rng.standard_normal(z.shape)  # weights make sum(w ⊙ f(z)) exercise every entry
    for name, f, fp in [("sigmoid_prime", R.sigmoid, R.sigmoid_prime),
                        ("tanh_prime", R.tanh, R.tanh_prime),
                        ("relu_prime", R.relu, R.relu_prime),
                        ("leaky_relu_prime", R.leaky_relu, R.leaky_relu_prime)]:
        yield name, (lambda v, f=f: float(np.sum(w * f(v)))), z, w * fp(z), "dense"

    t_onehot = np.eye(4)[:, rng.integers(0, 4, size=6)]
    y_soft = R.softmax(z)
    y_prob = R.sigmoid(z)
    t_bin = (rng.random(z.shape) < 0.5).astype(float)
    yield ("mse_loss gradient", lambda v: R.mse_loss(v, w), z, losses.mse_loss_grad(z, w), "dense")
    yield ("cross_entropy_loss gradient", lambda v: R.cross_entropy_loss(v, t_onehot), y_soft,
           losses.cross_entropy_loss_grad(y_soft, t_onehot), "dense")
    yield ("binary_cross_entropy_loss gradient", lambda v: R.binary_cross_entropy_loss(v, t_bin), y_prob,
           losses.binary_cross_entropy_loss_grad(y_prob, t_bin), "dense")
    yield ("softmax_cross_entropy_delta", lambda v: R.cross_entropy_loss(R.softmax(v), t_onehot), z,
           R.softmax_cross_entropy_delta(z, t_onehot), "dense")

    x = rng.standard_normal((5, 8))
    for last in ("linear", "sigmoid", "tanh", "softmax"):
        acts = ["tanh", "sigmoid", last]
        params = [(rng.standard_normal((6, 5)), rng.standard_normal((6, 1))),
                  (rng.standard_normal((4, 6)), rng.standard_normal((4, 1))),
                  (rng.standard_normal((3, 4)), rng.standard_normal((3, 1)))]
        t = rng.standard_normal((3, 8))
        y, caches = R.mlp_forward(x, params, acts)
        grads = R.mlp_backward(losses.mse_loss_grad(y, t), caches, params, acts)

        def loss_of_W1(W1, params=params, acts=acts, t=t):
            return R.mse_loss(R.mlp_forward(x, [(W1, params[0][1])] + params[1:], acts)[0], t)

        yield f"mlp_backward dW1 ({'-'.join(acts)})", loss_of_W1, params[0][0], grads[0][0], "dense"

    net = R.TwoLayerNet(5, 7, 2, seed=3)
    t = rng.standard_normal((2, 8))
    dW1, db1, dW2, db2 = net.backward(x, t)
    for attr, grad in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
        def loss_of(v, attr=attr):
            old = getattr(net, attr)
            setattr(net, attr, v)
            try:
                return R.mse_loss(net.forward(x)[3], t)
            finally:
                setattr(net, attr, old)
        yield f"TwoLayerNet.backward d{attr}", loss_of, getattr(net, attr), grad, "dense"

    xb = rng.standard_normal((3, 10))
    gamma, beta = rng.standard_normal((3, 1)), rng.standard_normal((3, 1))
    dout = rng.standard_normal(xb.shape)

    def bn_loss(v):
        return float(np.sum(dout * R.batchnorm_forward(v, gamma, beta, {"mode": "train", "eps": 1e-3, "momentum": 0.9})[0]))

    _, cache = R.batchnorm_forward(xb, gamma, beta, {"mode": "train", "eps": 1e-3, "momentum": 0.9})
    yield "batchnorm_backward dx", bn_loss, xb, R.batchnorm_backward(dout, cache)[0], "dense"

    W = rng.standard_normal((4, 3))
    yield "l2_grad", lambda v: R.l2_penalty([v], 0.1), W, R.l2_grad(W, 0.1), "dense"

    # a large layer: the directional check costs 2k evaluations whatever its size
    big = [(rng.standard_normal((64, 64)) / 8.0, np.zeros((64, 1))), (rng.standard_normal((10, 64)) / 8.0, np.zeros((10, 1)))]
    xs = rng.standard_normal((64, 32))
    ts = np.eye(10)[:, rng.integers(0, 10, size=32)]
    yb, cb = R.mlp_forward(xs, big, ["tanh", "linear"])
    gb = R.mlp_backward(R.softmax_cross_entropy_delta(yb, ts), cb, big, ["tanh", "linear"])

    def big_loss(W1):
        return R.cross_entropy_loss(R.softmax(R.mlp_forward(xs, [(W1, big[0][1]), big[1]], ["tanh", "linear"])[0]), ts)

    yield "mlp_backward dW1, 64×64 (directional)", big_loss, big[0][0], gb[0][0], "directional"


def run_selfcheck(seed: int = 0) -> ExerciseResult:
    """One CheckResult (1 point) per reference gradient; all must pass."""
    import numpy as np

    from reference_impl import gradcheck

    rng = np.random.default_rng(seed)
    checks = []
    for name, f, x, analytic, method in _cases(rng):
        if method == "directional":
            r = gradcheck.check_gradient_directional(f, x, analytic, k=4, rng=rng)
        else:
            r = gradcheck.check_gradient(f, x, analytic)
        message = (f"{r.method} check, {r.n_evaluations} evaluations: max relative error "
                   f"{r.max_rel_error:.2e} (pass below {gradcheck.TOL:.0e})")
        checks.append(CheckResult(f"reference.{name}", as_msg(name), 1.0 if r.passed else 0.0, 1.0, r.passed, False,
                                  as_msg(message), "passed" if r.passed else "failed"))
    return ExerciseResult("reference", tuple(checks))
