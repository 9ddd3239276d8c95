"""The ex10 mistake catalogue (reference_impl.mistakes_ex10): well formed, registered, and each
variant really differs from the reference in the function it replaces on a generic input.

Random layers are called with the same seeded generator as the reference, so a
variant differs only through its mistake. NumPy only (no Keras).
"""
import inspect

import numpy as np
import pytest

from reference_impl import noise_norm, variants
from reference_impl.mistakes_ex10 import VARIANTS

CONTRACT = ("gaussian_noise_forward", "gaussian_noise_backward", "gaussian_dropout_forward",
            "gaussian_dropout_backward", "layernorm_forward", "layernorm_backward")
PREFIXES = ("noise_", "gdropout_", "layernorm_")
#: the mistakes that combine the draws the other way: out = a ⊙ noise, out = a + mask
OTHER_COMBINATION = ("noise_multiplied", "gdropout_mask_added")


def _inputs():
    g = np.random.default_rng(100)
    a = g.choice([-1.0, 1.0], size=(6, 9)) * g.uniform(0.5, 2.0, (6, 9))
    x = 2.0 * g.standard_normal((1, 9)) + g.uniform(0.5, 2.0, (1, 9)) * g.standard_normal((6, 9))
    return {"a": a, "x": x, "gamma": g.uniform(0.5, 2.0, (6, 1)), "beta": g.standard_normal((6, 1)),
            "dout": g.standard_normal((6, 9))}


def _namespace(mistake=None):
    """The contract functions, the reference's with a mistake's replacements applied."""
    ns = {name: getattr(noise_norm, name) for name in CONTRACT}
    ns.update(VARIANTS.get(mistake, {}))
    return ns


def _outputs(name, ns, seed=7):
    """Everything the contract function ``name`` of ``ns`` returns on generic inputs, train and test, as a flat
    list (layernorm_backward on the cache of ``ns``' layernorm_forward)."""
    fn = ns[name]
    inp = _inputs()
    a, dout = inp["a"], inp["dout"]
    if name in ("gaussian_noise_forward", "gaussian_dropout_forward"):
        arg = 0.5 if name == "gaussian_noise_forward" else 0.3
        return [*fn(a.copy(), arg, True, np.random.default_rng(seed)),
                *fn(a.copy(), arg, False, np.random.default_rng(seed))]
    if name == "gaussian_noise_backward":
        _, noise = noise_norm.gaussian_noise_forward(a, 0.5, rng=np.random.default_rng(seed))
        return [fn(dout.copy(), noise), fn(dout.copy(), None)]
    if name == "gaussian_dropout_backward":
        _, mask = noise_norm.gaussian_dropout_forward(a, 0.3, rng=np.random.default_rng(seed))
        return [fn(dout.copy(), mask), fn(dout.copy(), None)]
    if name == "layernorm_forward":
        return [fn(inp["x"].copy(), inp["gamma"].copy(), inp["beta"].copy(), 1e-3)[0]]
    if name == "layernorm_backward":
        _, cache = ns["layernorm_forward"](inp["x"], inp["gamma"], inp["beta"], 1e-3)
        return list(fn(dout.copy(), cache))
    raise AssertionError(name)


def _same(xs, ys):
    if len(xs) != len(ys):
        return False
    for x, y in zip(xs, ys):
        if x is None or y is None:
            if x is not y:
                return False
            continue
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-6, atol=1e-10):
            return False
    return True


def test_catalogue_is_well_formed_and_registered():
    assert len(VARIANTS) >= 10
    assert len({fn for rep in VARIANTS.values() for fn in rep.values()}) == sum(map(len, VARIANTS.values()))
    for mistake, replacement in VARIANTS.items():
        assert mistake.startswith(PREFIXES), mistake
        assert replacement and set(replacement) <= set(CONTRACT), mistake
        assert variants.MISTAKES[mistake] is replacement
        for name, fn in replacement.items():
            doc = inspect.getdoc(fn)
            assert doc and "\n" not in doc, f"{mistake}: {fn.__name__} needs a one-line docstring"
            # same signature as the reference function it replaces
            assert list(inspect.signature(fn).parameters) == list(inspect.signature(getattr(noise_norm, name)).parameters)
    # every contract name has at least one known mistake
    assert {name for rep in VARIANTS.values() for name in rep} == set(CONTRACT)


def test_reference_is_deterministic_on_these_inputs():
    for name in CONTRACT:
        assert _same(_outputs(name, _namespace()), _outputs(name, _namespace())), name


@pytest.mark.parametrize("mistake", sorted(VARIANTS))
def test_variant_differs_from_reference(mistake):
    """Every function a variant replaces differs, except a forward replaced only to give its backward what it
    needs (layernorm_dgamma_with_x's cache holds x): then the pair's outputs differ through the backward."""
    np.random.seed(0)  # the global generator, for the *_ignores_rng variants
    ns = _namespace(mistake)
    differs = {name: not _same(_outputs(name, ns), _outputs(name, _namespace())) for name in VARIANTS[mistake]}
    if set(VARIANTS[mistake]) == {"layernorm_forward", "layernorm_backward"}:
        assert differs["layernorm_backward"], mistake
    else:
        assert all(differs.values()), (mistake, differs)


@pytest.mark.parametrize("mistake", sorted(m for m in VARIANTS if m.endswith("_ignores_rng")))
def test_ignores_rng_variants_are_not_seeded_by_rng(mistake):
    ((name, fn),) = VARIANTS[mistake].items()
    ns = _namespace(mistake)
    first, second = _outputs(name, ns, seed=5), _outputs(name, ns, seed=5)
    assert not _same(first, second), "two calls with the same seeded rng should differ"


@pytest.mark.parametrize("mistake", sorted(m for m in VARIANTS if m.startswith(("noise_", "gdropout_"))))
def test_noise_variants_stay_consistent(mistake):
    """One error away: a forward variant still returns out = a + noise (a ⊙ mask) whenever it returns an array
    (broadcast when it has a's shape wrongly), save the two whose error is combining them the other way."""
    a = _inputs()["a"]
    for name, fn in VARIANTS[mistake].items():
        if not name.endswith("_forward"):
            continue
        arg = 0.5 if name.startswith("gaussian_noise") else 0.3
        additive = name.startswith("gaussian_noise") != (mistake in OTHER_COMBINATION)
        for train in (True, False):
            out, r = fn(a.copy(), arg, train, np.random.default_rng(3))
            assert np.shape(out) == a.shape
            if r is not None and np.any(r):
                combined = a + r if additive else a * r
                np.testing.assert_allclose(out, combined, rtol=1e-15)


@pytest.mark.parametrize("mistake", sorted(m for m in VARIANTS if "layernorm_forward" in VARIANTS[m]))
def test_layernorm_forward_variants_work_with_their_backward(mistake):
    inp = _inputs()
    ns = _namespace(mistake)
    out, cache = ns["layernorm_forward"](inp["x"], inp["gamma"], inp["beta"], 1e-3)
    dx, dgamma, dbeta = ns["layernorm_backward"](inp["dout"], cache)
    assert out.shape == dx.shape == (6, 9) and dgamma.shape == dbeta.shape == (6, 1)
