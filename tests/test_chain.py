"""``Sandbox.chain``: several calls of an update rule in one request, with the outcome of the calls one by one.

ex5 runs each optimizer over 30 gradients, feeding back what the rule returned: 702 requests a submission
before the chain, 35 with it. Each test runs the same submission twice, in two fresh student processes:
once through ``chain`` and once through a wrapper whose chain makes one call a request (what the grader
did before), and compares everything the grader sees: the trajectory (values and dtypes), the returned
state, the error and its message, the warnings, and how many times the student's function ran (a
submission with state of its own would see any extra call).
"""
from __future__ import annotations

import numpy as np
import pytest

from autograder.exercises import ex5
from autograder.sandbox import Limits, Sandbox, StudentRaised, TimedOut
from autograder.sandbox.process import CHAIN_SLICE_S

RNG = np.random.default_rng(5)
INPUTS = {"rule": "sgd_momentum", "w": RNG.standard_normal((3, 4)), "grads": RNG.standard_normal((12, 3, 4)),
          "hyper": {"learning_rate": 0.1, "momentum": 0.9}}

COUNTER = """
import numpy as np
CALLS = []

def calls():
    return len(CALLS)
"""

RULES = {
    # the course's rule, updating w in place and returning it: stored results must not change later
    "in_place": """
def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    config = {} if config is None else config
    v = config.get("velocity", np.zeros_like(w))
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    w += v
    config["velocity"] = v
    return w, config
""",
    # float32 all along: kept in float32 from call to call
    "float32": """
def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    v = config.get("velocity", np.zeros(w.shape, np.float32))
    v = np.float32(config["momentum"]) * v - np.float32(config["learning_rate"]) * dw.astype(np.float32)
    config["velocity"] = v
    return (w + v).astype(np.float32), config
""",
    # a list every third call (the grader passes back an array): the chain stops there, the grader goes on
    "list_sometimes": """
def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    nxt = w - config["learning_rate"] * dw
    config["t"] = np.int64(len(CALLS))  # a NumPy scalar: a 0-d array once it crosses the wire
    return (nxt.tolist() if len(CALLS) % 3 == 0 else nxt), config
""",
    # an object in the state: it stays in the student's process, the grader gets a handle back
    "object_in_state": """
class Box:
    pass

def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    config["box"] = config.get("box") or Box()
    return w - 0.1 * dw, config
""",
    # a wrong shape at the 5th call: unusable there, and no 6th call
    "bad_shape": """
def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    return (w[:, :2] if len(CALLS) == 5 else w - dw), config
""",
    # RuntimeWarnings, then an exception at the 7th call
    "warns_then_raises": """
import warnings

def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    if len(CALLS) == 7:
        raise ValueError("step seven")
    warnings.warn(f"warning {len(CALLS) % 2}", RuntimeWarning)
    with np.errstate(divide="warn"):
        np.float64(1.0) / np.float64(0.0)
    return w - dw, config
""",
    # turns warnings off in its first call: a call's request starts again from the grader's filters
    "silences_warnings": """
import warnings

def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    if len(CALLS) == 1:
        warnings.simplefilter("ignore")
    warnings.warn(f"call {len(CALLS)}", RuntimeWarning)
    return w - dw, config
""",
    # reads a global that the previous call set: any call run twice or run ahead would show
    "stateful": """
def sgd_momentum(w, dw, config=None):
    CALLS.append(1)
    return w - len(CALLS) * dw, {"n": len(CALLS), **config}
""",
}


class OneByOne:
    """A sandbox whose chain makes one call a request: the calls one by one."""

    def __init__(self, box):
        self.box = box

    def chain(self, name, x, items, state, timeout=None):
        return [self.box.call(name, x, list(items)[0], state)]

    def __getattr__(self, name):
        return getattr(self.box, name)


def run(source: str, one_by_one: bool, inputs=INPUTS):
    """What the grader sees of ``ex5.run_trajectory`` on ``source``: outputs or the error, warnings, calls."""
    with Sandbox([("<cell 1>", COUNTER + source)], Limits()) as box:
        box.start()
        impl = OneByOne(box) if one_by_one else box
        try:
            outputs, first = ex5.run_trajectory(impl, inputs)
            seen = ("ok", outputs, first)
        except StudentRaised as exc:
            seen = ("raised", exc.exc_type, exc.detail, exc.where)
        except ex5._Unusable as exc:
            seen = ("unusable", exc.key, exc.fields)
        return seen, list(dict.fromkeys(box.warnings)), box.call("calls")


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype \
            and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if hasattr(a, "generation") and hasattr(b, "generation"):  # handles: the same object's, by type
        return type(a) is type(b) and a.type_name == b.type_name
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("kind", sorted(RULES))
def test_chain_sees_what_the_calls_one_by_one_see(kind):
    chained = run(RULES[kind], one_by_one=False)
    single = run(RULES[kind], one_by_one=True)
    assert same(chained[0], single[0]), (chained[0], single[0])
    assert chained[1] == single[1]  # the warnings, each once, in order
    assert chained[2] == single[2]  # the student's function ran as many times


def test_what_each_rule_shows():
    """The comparisons above compare something: each rule ends as it should."""
    outcome = {kind: run(src, one_by_one=False) for kind, src in RULES.items()}
    ok = outcome["in_place"][0]
    assert ok[0] == "ok" and ok[1][ex5.TRAJ].shape == (13, 3, 4) and outcome["in_place"][2] == 12
    # in place: every stored step differs from the next (a later call did not change an earlier result)
    assert all(not np.array_equal(a, b) for a, b in zip(ok[1][ex5.TRAJ], ok[1][ex5.TRAJ][1:]))
    assert outcome["float32"][0][1][ex5.TRAJ].dtype == np.float32
    assert outcome["list_sometimes"][0][0] == "ok" and outcome["list_sometimes"][2] == 12
    assert outcome["object_in_state"][0][0] == "ok"
    assert outcome["bad_shape"][0][:2] == ("unusable", "bad_shape") and outcome["bad_shape"][2] == 5
    raised = outcome["warns_then_raises"]
    assert raised[0][:3] == ("raised", "ValueError", "step seven") and raised[2] == 7
    assert "warning 1" in raised[1] and "warning 0" in raised[1] and len(raised[1]) == 3, raised[1]
    assert outcome["stateful"][0][2]["n"] == 1 and outcome["stateful"][2] == 12
    assert outcome["silences_warnings"][1] == [f"call {k}" for k in range(2, 13)]


def count_requests(box):
    made = []
    original = box._request

    def counted(op, name, *args, **kwargs):
        made.append(op)
        return original(op, name, *args, **kwargs)

    box._request = counted
    return made


def test_one_request_for_a_clean_trajectory():
    with Sandbox([("<cell 1>", COUNTER + RULES["in_place"])], Limits()) as box:
        box.start()
        made = count_requests(box)
        outputs, _ = ex5.run_trajectory(box, INPUTS)
        assert made == ["chain"] and outputs[ex5.TRAJ].shape == (13, 3, 4)


def test_a_slow_rule_is_chained_in_slices():
    """A call that starts after the slice waits for the next request: the chain's request never takes
    much longer than one call's timeout allows."""
    slow = "import time\n" + RULES["stateful"].replace("CALLS.append(1)", "CALLS.append(1); time.sleep(0.15)")
    with Sandbox([("<cell 1>", COUNTER + slow)], Limits()) as box:
        box.start()
        made = count_requests(box)
        outputs, _ = ex5.run_trajectory(box, dict(INPUTS, grads=INPUTS["grads"][:8]))
    per_request = int(CHAIN_SLICE_S / 0.15) + 1
    assert len(made) == -(-8 // per_request), made  # 8 calls of 0.15 s in slices of 0.5 s: 4 a request
    assert same(run(slow, True, dict(INPUTS, grads=INPUTS["grads"][:8]))[0][1], outputs)


def test_a_call_that_hangs_times_out_as_one_call_would():
    hangs = RULES["stateful"].replace("CALLS.append(1)", "CALLS.append(1)\n    if len(CALLS) == 3:\n"
                                                         "        import time; time.sleep(60)")
    with Sandbox([("<cell 1>", COUNTER + hangs)], Limits(call_timeout_s=1.0, check_timeout_s=30.0)) as box:
        box.start()
        with pytest.raises(TimedOut) as info:
            ex5.run_trajectory(box, INPUTS)
        assert info.value.seconds == 1.0 and "sgd_momentum()" in str(info.value)
        with pytest.raises(TimedOut):  # a function that timed out is not called again
            box.call("sgd_momentum", INPUTS["w"], INPUTS["grads"][0], {})


def test_a_reply_with_more_results_than_calls_is_refused():
    """A forged reply (the student's code can write its own frames) cannot claim more calls than asked."""
    from autograder.sandbox import BadReply

    with Sandbox([("<cell 1>", COUNTER + RULES["stateful"])], Limits()) as box:
        box.start()
        box._request = lambda *args, **kwargs: [(INPUTS["w"], {})] * 3
        with pytest.raises(BadReply):
            box.chain("sgd_momentum", INPUTS["w"], INPUTS["grads"][:2], {})
        box._request = lambda *args, **kwargs: []
        with pytest.raises(BadReply):
            box.chain("sgd_momentum", INPUTS["w"], INPUTS["grads"][:2], {})
