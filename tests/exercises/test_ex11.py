"""ex11 bayes-opt: differently written correct solutions keep full marks; student-written mistakes lose
exactly the checks that target them (and, for a kernel, posterior or EI that the loop calls, the loop's outcome),
with the mistake named (by id, and in the student's language)."""
import textwrap

import pytest

from autograder.exercises.ex11 import MISTAKES
from autograder.grading import grade_file

KERNEL = """
def rbf_kernel(A, B, length_scale, variance):
    K = np.empty((A.shape[1], B.shape[1]))
    for j in range(B.shape[1]):  # one column of K per point of B
        K[:, j] = variance * np.exp(-np.sum((A - B[:, [j]]) ** 2, axis=0) / (2 * length_scale ** 2))
    return K
"""

GP = """
def _forward(L, b):
    x = np.zeros(b.shape)
    for i in range(L.shape[0]):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
    return x

def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    K = rbf_kernel(X_train, X_train, length_scale, variance) + noise * np.eye(X_train.shape[1])
    L = np.linalg.cholesky(K)
    K_s = rbf_kernel(X_train, X_test, length_scale, variance)
    alpha = _forward(L.T[::-1, ::-1], _forward(L, y_train)[::-1])[::-1]  # Lᵀ \\ (L \\ y), reversed rows
    mu = K_s.T @ alpha
    v = _forward(L, K_s)
    var = variance - (v ** 2).sum(axis=0)
    var[var < 0] = 0.0
    return mu, var
"""

SCIPY_GP = """
def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    K = rbf_kernel(X_train, X_train, length_scale, variance) + noise * np.eye(X_train.shape[1])
    factor = scipy.linalg.cho_factor(K, lower=True)
    K_s = rbf_kernel(X_train, X_test, length_scale, variance)
    v = scipy.linalg.solve_triangular(factor[0], K_s, lower=True)
    return K_s.T @ scipy.linalg.cho_solve(factor, y_train), np.maximum(variance - (v ** 2).sum(axis=0), 0)
"""

SCIPY_ACQ = """
def expected_improvement(mu, sigma, best, xi=0.01):
    imp = best - mu - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = imp / sigma
        ei = imp * norm.cdf(z) + sigma * norm.pdf(z)
    return np.where(sigma > 0, ei, 0.0)
"""

ACQ = """
def Phi(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))

def phi(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

def expected_improvement(mu, sigma, best, xi=0.01):
    ei = np.zeros(len(mu))
    for i in range(len(mu)):
        if sigma[i] > 0:
            imp = best - mu[i] - xi
            z = imp / sigma[i]
            ei[i] = imp * Phi(z) + sigma[i] * phi(z)
    return ei

def probability_of_improvement(mu, sigma, best, xi=0.01):
    return np.array([Phi((best - m - xi) / s) if s > 0 else 0.0 for m, s in zip(mu, sigma)])

def upper_confidence_bound(mu, sigma, kappa=2.0):
    return kappa * sigma - mu
"""

LOOP = """
def bayes_opt_minimize(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0,
                       noise=1e-6, xi=0.01):
    low, high = bounds[:, [0]], bounds[:, [1]]
    d = len(bounds)
    X = low + (high - low) * rng.random((d, n_init))
    y = [f(x) for x in X.T]
    for it in range(n_iter):
        C = low + (high - low) * rng.random((d, n_candidates))
        y_arr = np.array(y)
        scale = y_arr.std() if y_arr.std() > 0 else 1.0
        ys = (y_arr - y_arr.mean()) / scale
        mu, var = gp_posterior((X - low) / (high - low), ys, (C - low) / (high - low), length_scale, variance, noise)
        best_index = np.argmax(expected_improvement(mu, np.sqrt(var), ys.min(), xi))
        X = np.hstack([X, C[:, best_index:best_index + 1]])
        y.append(f(C[:, best_index]))
    y = np.array(y)
    return X[:, y.argmin()], y.min(), (X, y)
"""

HEADER = "import math\nimport numpy as np\n"


def _grade(tmp_path, *, kernel=KERNEL, gp=GP, acq=ACQ, loop=LOOP, lang="en"):
    path = tmp_path / "ex11_bayes_opt.py"
    path.write_text(HEADER + "".join(textwrap.dedent(s) for s in (kernel, gp, acq, loop)))
    return grade_file("ex11", path, hidden=True, lang=lang)


def _lost(result):
    return {c.id.split(".", 1)[1] for c in result.checks if not c.passed}


def test_a_differently_written_solution_gets_full_marks(tmp_path):
    """Kernel by loops, triangular solves by substitution loops, Φ by math.erfc, EI and PI by loops; a list of
    columns as X's constructor, y a list until the end."""
    result = _grade(tmp_path)
    assert result.score == result.max_score == 10, [(c.id, c.message) for c in result.checks if not c.passed]


NUMPY_GP = """
def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    L = np.linalg.cholesky(rbf_kernel(X_train, X_train, length_scale, variance) + noise * np.eye(len(y_train)))
    K_s = rbf_kernel(X_train, X_test, length_scale, variance)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y_train))
    v = np.linalg.solve(L, K_s)
    return K_s.T @ alpha, np.clip(variance - np.einsum("ij,ij->j", v, v), 0, None)
"""


def test_scipy_forms_keep_full_marks_by_value():
    """scipy.linalg's cho_factor / cho_solve / solve_triangular and scipy.stats.norm give the same values (graded
    in this process: the sandbox of a NumPy exercise (registry needs="numpy") refuses to import SciPy)."""
    import os

    from autograder.grading import grade_impl
    from autograder.impl import LocalImpl

    namespace = {}
    source = HEADER + "import scipy.linalg\nfrom scipy.stats import norm\n" + "".join(
        textwrap.dedent(s) for s in (KERNEL, SCIPY_GP, ACQ, SCIPY_ACQ, LOOP))
    exec(compile(source, "<scipy forms>", "exec"), namespace)
    os.environ.setdefault("GRADER_HIDDEN_KEY", "test-ex11")
    result = grade_impl("ex11", LocalImpl({k: v for k, v in namespace.items() if not k.startswith("__")}),
                        hidden=True, lang="en")
    assert result.score == result.max_score, [(c.id, c.message) for c in result.checks if not c.passed]


def test_numpy_triangular_solves_get_full_marks(tmp_path):
    result = _grade(tmp_path, gp=NUMPY_GP)
    assert result.score == result.max_score, [(c.id, c.message) for c in result.checks if not c.passed]


INVERSE_GP = """
def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    K_inv = np.linalg.inv(rbf_kernel(X_train, X_train, length_scale, variance) + noise * np.eye(len(y_train)))
    K_s = rbf_kernel(X_train, X_test, length_scale, variance)
    return K_s.T @ K_inv @ y_train, np.maximum(variance - np.sum(K_s * (K_inv @ K_s), axis=0), 0)
"""

_OUTCOME = {"loop_outcome"}
MISTAKEN = {
    # mistake id: (which part is replaced, the replacement, the checks it loses)
    "kernel_no_half": ("kernel", KERNEL.replace("/ (2 * length_scale ** 2)", "/ length_scale ** 2"),
                       {"rbf_kernel", "rbf_kernel_hidden"}),
    "gp_explicit_inverse": ("gp", INVERSE_GP, {"gp_illcond"}),
    "gp_no_noise": ("gp", GP.replace(" + noise * np.eye(X_train.shape[1])", ""),
                    {"gp_posterior", "gp_posterior_hidden", "gp_illcond"}),
    "gp_var_plus_noise": ("gp", GP.replace("var = variance - (v ** 2)", "var = variance + noise - (v ** 2)"),
                          {"gp_posterior", "gp_posterior_hidden", "gp_properties", "gp_illcond"}),
    "gp_var_not_clipped": ("gp", GP.replace("    var[var < 0] = 0.0\n", ""), {"gp_properties"}),
    "ei_pdf_cdf_swapped": ("acq", ACQ.replace("imp * Phi(z) + sigma[i] * phi(z)", "imp * phi(z) + sigma[i] * Phi(z)"),
                           {"expected_improvement", "ei_properties", "acquisitions_hidden"}),
    "ei_sign_flipped": ("acq", ACQ.replace("imp = best - mu[i] - xi", "imp = mu[i] - best - xi"),
                        {"expected_improvement", "acquisitions_hidden"} | _OUTCOME),
    "pi_minus_z": ("acq", ACQ.replace("Phi((best - m - xi) / s)", "Phi((m - best + xi) / s)"),
                   {"probability_of_improvement", "acquisitions_hidden"}),
    "ucb_sign": ("acq", ACQ.replace("return kappa * sigma - mu", "return mu + kappa * sigma"),
                 {"upper_confidence_bound", "acquisitions_hidden"}),
    "loop_argmin_mean": ("loop", LOOP.replace("np.argmax(expected_improvement(mu, np.sqrt(var), ys.min(), xi))",
                                              "np.argmin(mu)"),
                         {"loop_proposals", "loop_proposals_hidden"}),
    "loop_x_best_last": ("loop", LOOP.replace("return X[:, y.argmin()], y.min(), (X, y)",
                                              "return X[:, -1], y[-1], (X, y)"),
                         {"loop_proposals", "loop_contract"}),
    "loop_reevaluates_best": ("loop", LOOP.replace("return X[:, y.argmin()], y.min(), (X, y)",
                                                   "return X[:, y.argmin()], f(X[:, y.argmin()]), (X, y)"),
                              {"loop_proposals", "loop_proposals_hidden", "loop_contract", "loop_outcome"}),
    "loop_same_candidates": ("loop", LOOP.replace(
        "    for it in range(n_iter):\n        C = low + (high - low) * rng.random((d, n_candidates))\n",
        "    C = low + (high - low) * rng.random((d, n_candidates))\n    for it in range(n_iter):\n"),
                             {"loop_proposals", "loop_proposals_hidden"}),
}


def test_the_mistaken_sources_are_edited():
    """Each replacement above really changed its part (a typo in a pattern would test the solution)."""
    parts = {"kernel": KERNEL, "gp": GP, "acq": ACQ, "loop": LOOP}
    for mistake, (part, source, _) in MISTAKEN.items():
        assert source != parts[part] and source != NUMPY_GP, mistake


@pytest.mark.parametrize("mistake", sorted(MISTAKEN))
def test_a_student_written_mistake_loses_its_checks_and_is_named(tmp_path, mistake):
    part, source, lost = MISTAKEN[mistake]
    result = _grade(tmp_path, **{part: source})
    assert _lost(result) == lost, (_lost(result), [(c.id, c.message) for c in result.checks if not c.passed])
    for check_id in MISTAKES[mistake].targets:
        check = result.check(check_id)
        assert mistake in check.mistakes, (check_id, check.message)
        assert MISTAKES[mistake].en in check.message
    es = _grade(tmp_path, **{part: source}, lang="es")
    assert MISTAKES[mistake].es in es.check(MISTAKES[mistake].targets[0]).message


def test_a_wrong_posterior_keeps_the_loop_proposal_points_with_a_note_naming_it(tmp_path):
    """One error scored once: the loop is right given the student's own posterior without noise."""
    result = _grade(tmp_path, gp=GP.replace(" + noise * np.eye(X_train.shape[1])", ""))
    check = result.check("loop_proposals")
    assert check.passed
    assert MISTAKES["gp_no_noise"].en in check.message and not check.mistakes


def test_a_posterior_that_raises_because_of_a_wrong_kernel_is_told_which_mistake():
    """A kernel without its length scale squared makes K lose positive definiteness with noise = 0: the property
    check's failure names the kernel's mistake instead of showing a bare LinAlgError."""
    from reference_impl import variants

    from autograder.grading import grade_impl
    from autograder.impl import LocalImpl

    result = grade_impl("ex11", LocalImpl(variants.namespace(mistake="kernel_length_scale_not_squared")),
                        hidden=False, lang="es")
    check = result.check("gp_properties")
    assert not check.passed and check.mistakes == ("kernel_length_scale_not_squared",)
    assert check.message.startswith("gp_posterior lanzó LinAlgError con noise = 0")
    assert MISTAKES["kernel_length_scale_not_squared"].es in check.message
