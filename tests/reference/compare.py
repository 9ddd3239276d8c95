"""One comparison helper for the Keras validation tests, recording what it measures.

Every call appends (name, max_abs_err, max_rel_err) to :data:`MEASURED`;
with ``REFERENCE_ERRORS=path`` set, conftest writes the table to that file at
the end of the session, which is how the figures in the issue notes were
gathered (``REFERENCE_ERRORS=/tmp/err.tsv make test``).
"""
import numpy as np

#: (name, max_abs_err, max_rel_err) for every comparison made in this session.
MEASURED = []


def assert_close(name, actual, desired, rtol, atol=0.0):
    """np.testing.assert_allclose(actual, desired, rtol, atol), recording the errors first.

    A scalar ``desired`` is broadcast to ``actual``'s shape; otherwise shapes
    must match exactly. The relative error is taken over nonzero ``desired``.
    """
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    if desired.ndim == 0:
        desired = np.broadcast_to(desired, actual.shape)
    assert actual.shape == desired.shape, f"{name}: shape {actual.shape} != {desired.shape}"
    err = np.abs(actual - desired)
    nonzero = desired != 0
    max_abs = float(err.max(initial=0.0))
    max_rel = float((err[nonzero] / np.abs(desired[nonzero])).max(initial=0.0))
    MEASURED.append((name, max_abs, max_rel))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=name)
