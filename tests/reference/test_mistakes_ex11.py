"""The ex11 mistake catalogue (reference_impl.mistakes_ex11): well formed, registered, and each variant really
differs from the reference, on the inputs of the checks that target it. NumPy only."""
import numpy as np
import pytest

from autograder.exercises import ex11
from autograder.sandbox import catalog
from reference_impl import bayes_opt, variants
from reference_impl.mistakes_ex11 import VARIANTS, _loop

CONTRACT = ("rbf_kernel", "gp_posterior", "expected_improvement", "probability_of_improvement",
            "upper_confidence_bound", "bayes_opt_minimize")


def test_catalogue_is_well_formed_and_registered():
    assert set(VARIANTS) == set(ex11.MISTAKES)
    assert len(VARIANTS) >= 8
    for mistake, replacements in VARIANTS.items():
        assert replacements and set(replacements) <= set(CONTRACT), mistake
        assert variants.namespace(mistake=mistake)  # registered
        assert next(iter(replacements.values())).__doc__, mistake  # the mistake's own function says what it does


def _outputs(ns, name):
    """Everything ``ns[name]`` returns on the exercise's public inputs (and the property checks' setups)."""
    fn, out = ns[name], []
    if name == "rbf_kernel":
        for c in ex11.kernel_inputs(np.random.default_rng(1)):
            out.append(fn(c["A"], c["B"], c["length_scale"], c["variance"]))
    elif name == "gp_posterior":
        cases = ex11.gp_inputs(np.random.default_rng(1)) + ex11.illcond_inputs(np.random.default_rng(2))
        for c in cases:
            out += list(fn(c["X_train"], c["y_train"], c["X_test"], c["length_scale"], c["variance"], c["noise"]))
        for X, ls, var in ex11.CLIP_SETUPS:
            out += list(fn(X, np.cos(4 * X).sum(axis=0), X, ls, var, 0.0))
    elif name in ("expected_improvement", "probability_of_improvement"):
        for c in ex11.acq_inputs(np.random.default_rng(1)):
            out.append(fn(c["mu"], c["sigma"], c["best"], xi=c["xi"]))
    elif name == "upper_confidence_bound":
        for c in ex11.acq_inputs(np.random.default_rng(1)):
            out.append(fn(c["mu"], c["sigma"], kappa=c["kappa"]))
    else:
        for c in ex11.loop_inputs(np.random.default_rng(1)):
            f = catalog.build(c["f"].name, c["f"].params)
            x_best, f_best, (X, y) = fn(f, c["bounds"], c["n_init"], c["n_iter"], np.random.default_rng(c["rng"].seed),
                                        n_candidates=c["n_candidates"])
            out += [x_best, np.array(f_best), X, y, np.array(catalog.take_calls())]
    return out


@pytest.mark.parametrize("mistake", sorted(VARIANTS))
def test_variant_differs_from_reference(mistake):
    ref, ns = variants.namespace(), variants.namespace(mistake=mistake)
    own = next(iter(VARIANTS[mistake]))  # the function the mistake is in (listed first)
    with np.errstate(all="ignore"):
        expected, got = _outputs(ref, own), _outputs(ns, own)
    differs = any(np.shape(x) != np.shape(y) or not np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)
                  and not np.allclose(x, y, rtol=1e-8, atol=1e-10 * float(np.max(np.abs(y)) or 1.0))
                  for x, y in zip(got, expected))
    assert differs, mistake


@pytest.mark.parametrize("mistake", sorted(m for m, r in VARIANTS.items() if len(r) > 1))
def test_an_upstream_mistake_is_carried_into_the_loop(mistake):
    """Kernel, posterior and EI variants come with the reference loop calling them (a student's loop calls the
    student's functions), and the loop of the right functions is the reference loop itself."""
    assert "bayes_opt_minimize" in VARIANTS[mistake]


def test_the_loop_of_the_variants_is_the_reference_loop():
    f = catalog.build("bo_branin", {"shift": np.zeros(2), "scale": np.array([10.0])})
    bounds = np.array([[-5.0, 10.0], [0.0, 15.0]])
    a = bayes_opt.bayes_opt_minimize(f, bounds, 4, 6, np.random.default_rng(5), n_candidates=100)
    b = _loop(f, bounds, 4, 6, np.random.default_rng(5), n_candidates=100)
    np.testing.assert_array_equal(a[2][0], b[2][0])
    assert a[1] == b[1]
    catalog.take_calls()
