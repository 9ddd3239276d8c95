"""A wire the student cannot abuse: the grader accepts from the student process only what it asked
for, in bounded memory and time (issue 10, item 3).

The student's code shares its process with the loop that answers the grader, so it can write its
own frames on the reply descriptor (``tests/wire_attacks.py`` shows how). Forged frames cannot be
prevented there, only made harmless: these tests send them as real submissions, graded beside
correct ones, and check that each ends in a clear message for its own checks, that results and
the grader's memory stay bounded, and that the next submission is graded normally. The codec's
bounds (size, depth, counts, shared blobs, string clipping) are unit-tested first.
"""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.grading import checks_for
from autograder.sandbox import (
    REPLY_ALLOWANCE, REPLY_FACTOR, BadReply, Limits, Sandbox, StudentRaised, TimedOut, wire,
)
from tests import wire_attacks

ROOT = Path(__file__).resolve().parent.parent
FAST = Limits(call_timeout_s=2.0, load_timeout_s=10.0)
MB = 1024 * 1024


# ------------------------------------------------------------------ codec: the header scan
def _frame(header: dict | bytes, blobs=()) -> bytes:
    """A frame's body, as unpack takes it (without the 8-byte length)."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    return len(head).to_bytes(4, "big") + head + b"".join(blobs)


def _depth(value) -> int:
    """JSON nesting depth as json.loads sees it (a scalar is 0, [] is 1)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            level += 1
            stack.extend((v, level) for v in (node.values() if isinstance(node, dict) else node))
        deepest = max(deepest, level)
    return deepest


def _random_json(rng: random.Random, depth: int):
    nasty = '[]{}",:\\'
    if depth == 0 or rng.random() < 0.25:
        kind = rng.randrange(4)
        if kind == 0:
            return "".join(rng.choice(nasty + "ab\n") for _ in range(rng.randrange(8)))
        return [rng.randrange(-5, 5), rng.random(), None, True][kind]
    if rng.random() < 0.5:
        return [_random_json(rng, depth - 1) for _ in range(rng.randrange(4))]
    return {"".join(rng.choice(nasty + "k") for _ in range(rng.randrange(5))): _random_json(rng, depth - 1)
            for _ in range(rng.randrange(4))}


def test_scan_measures_the_depth_json_sees_whatever_the_strings_hold():
    """Strings full of brackets, quotes, backslashes and separators: the scan finds exactly the depth
    json.loads builds (it passes at that bound and refuses one level less), and its counts are never
    below what json.loads builds."""
    rng = random.Random(7)
    for _ in range(300):
        value = {"v": _random_json(rng, rng.randrange(1, 9))}
        head = json.dumps(value).encode()
        depth = _depth(json.loads(head))
        wire.scan_header(head, wire.Bounds(depth=depth))
        with pytest.raises(wire.WireError) as info:
            wire.scan_header(head, wire.Bounds(depth=depth - 1))
        assert info.value.code == "too_deep"


def test_scan_counts_are_upper_bounds_of_what_json_builds():
    rng = random.Random(11)
    for _ in range(200):
        value = [_random_json(rng, 5) for _ in range(3)]
        head = json.dumps(value).encode()

        def count(v):  # (values and keys, containers) that json.loads builds
            if isinstance(v, dict):
                return (1 + len(v) + sum(count(x)[0] for x in v.values()),
                        1 + sum(count(x)[1] for x in v.values()))
            if isinstance(v, list):
                return 1 + sum(count(x)[0] for x in v), 1 + sum(count(x)[1] for x in v)
            return 1, 0
        values, containers = count(json.loads(head))
        wire.scan_header(head, wire.Bounds(containers=containers))  # containers are counted exactly
        with pytest.raises(wire.WireError) as info:
            wire.scan_header(head, wire.Bounds(containers=containers - 1))
        assert info.value.code == "too_many_containers"
        with pytest.raises(wire.WireError) as info:  # values are never underestimated
            wire.scan_header(head, wire.Bounds(values=values - 1))
        assert info.value.code == "too_many_values"


def test_scan_refuses_depth_hidden_behind_strings_and_escaped_quotes():
    head = (b'{"x":"]]]]\\\\","y":"\\"]]]]\\"","value":' + b'{"__list__":[' * 200 + b']}' * 200 + b"}")
    assert _depth(json.loads(head)) == 401  # valid JSON: json.loads alone would build all of it
    with pytest.raises(wire.WireError) as info:
        wire.scan_header(head, wire.Bounds())
    assert info.value.code == "too_deep"


def test_unpack_refuses_deep_nesting_before_parsing_it():
    body = _frame(b"[" * 90_000 + b"]" * 90_000)
    with pytest.raises(wire.WireError) as info:
        wire.unpack(body, wire.Bounds(frame=len(body)))
    assert info.value.code == "too_deep"


@pytest.mark.parametrize("head, code", [
    (b'{"v":[' + b"[]," * 200_000 + b"[]]}", "too_many_containers"),
    (b'{"v":[' + b"0," * 600_000 + b"0]}", "too_many_values"),
    (b'{"v":{' + b",".join(b'"k%d":0' % i for i in range(300_000)) + b"}}", "too_many_values"),
])
def test_unpack_refuses_too_many_containers_or_values(head, code):
    body = _frame(head)
    with pytest.raises(wire.WireError) as info:
        wire.unpack(body, wire.Bounds(frame=len(body), header=len(head)))
    assert info.value.code == code
    json.loads(head)  # the header itself is valid JSON: the bound refused it, not the parser


def test_unpack_bounds_the_header_and_the_number_of_blobs():
    head = json.dumps({"kind": "reply", "pad": "x" * 2 * MB}).encode()
    with pytest.raises(wire.WireError) as info:
        wire.unpack(_frame(head), wire.Bounds())
    assert info.value.code == "too_large" and info.value.fields["limit"] == wire.MAX_HEADER
    many = {"kind": "reply", "blobs": [0] * 20_000}
    with pytest.raises(wire.WireError) as info:
        wire.unpack(_frame(many), wire.Bounds())
    assert info.value.code == "too_many_arrays"
    header, blobs = wire.unpack(_frame({"blobs": [0] * 100}), wire.Bounds())  # within the bound
    assert len(blobs) == 100
    with pytest.raises(wire.WireError):  # a blob past the frame's end
        wire.unpack(_frame({"blobs": [10]}, [b"x" * 5]), wire.Bounds())


def test_decode_uses_each_blob_once_and_checks_dtype_shape_and_size():
    blob = np.arange(4.0).tobytes()
    node = {"__array__": 0, "dtype": "float64", "shape": [4]}
    np.testing.assert_array_equal(wire.decode(node, [blob]), np.arange(4.0))
    with pytest.raises(wire.WireError, match="share one blob"):
        wire.decode({"__list__": [node, node]}, [blob])
    for bad in ({"shape": [-1, -4]}, {"shape": [True, 4]}, {"shape": [1] * 33}, {"shape": [5]},
                {"shape": "4"}, {"dtype": "object"}, {"__array__": 1}, {"__array__": "0"}):
        with pytest.raises(wire.WireError):
            wire.decode({**node, **bad}, [blob])


def test_decode_refuses_values_nested_beyond_its_depth():
    tree = None
    for _ in range(60):
        tree = {"__list__": [tree]}
    assert wire.decode(tree, [], max_depth=60) is not None
    with pytest.raises(wire.WireError) as info:
        wire.decode(tree, [], max_depth=59)
    assert info.value.code == "too_deep"


def test_clip_truncates_strings_and_describes_other_values():
    assert wire.clip("short") == "short"
    long = wire.clip("x" * 10_000, 100)
    assert long.startswith("x" * 100) and len(long) < 140 and "9900 more characters" in long
    assert wire.clip({"a": "x" * 10**6}) == "<dict>" and wire.clip(None) == "" and wire.clip(3) == "3"


def test_bad_reply_reasons_are_translated():
    exc = BadReply("reply_too_large", size=150 * MB, limit=8 * MB, allowance=REPLY_ALLOWANCE)
    assert "150.0 MB" in str(exc) and "8.0 MB" in exc.text("en")
    assert "devolvió 150.0 MB" in exc.text("es")
    deep = BadReply("reply_unreadable", error=wire.WireError("deep", "too_deep", limit=100))
    assert "nested more than 100 levels" in deep.text("en") and "anidados a más de 100" in deep.text("es")
    assert BadReply("a plain sentence").text("es") == "a plain sentence"


def test_reply_bound_scales_with_the_request_and_the_callers_wish():
    box = Sandbox([("<cell 1>", "")], FAST)
    assert box.reply_bounds(0).frame == REPLY_ALLOWANCE
    assert box.reply_bounds(10 * MB).frame == REPLY_FACTOR * 10 * MB + REPLY_ALLOWANCE
    assert box.reply_bounds(0, max_reply=64 * MB).frame == 64 * MB
    assert box.reply_bounds(10**12).frame == wire.MAX_FRAME


# ------------------------------------------------------------------ one sandbox, honest and forged replies
def _sandbox(code, limits=FAST):
    box = Sandbox([("<cell 1>", code)], limits)
    box.start()
    return box


def test_an_honest_reply_too_large_is_refused_clearly_and_the_process_lives_on():
    code = "import numpy as np\ndef big():\n    return np.zeros(2_000_000)\ndef small(x):\n    return x + 1\n"
    with _sandbox(code) as box:
        with pytest.raises(BadReply) as info:
            box.call("big")  # 16e6 bytes, no input: above the 8 MB allowance
        assert info.value.key == "reply_too_large" and "15.3 MB" in str(info.value)  # 16e6 bytes
        np.testing.assert_array_equal(box.call("small", np.zeros(3)), np.ones(3))
        assert box.starts == 1  # the child refused it itself: no restart was needed
        # a caller that expects a bigger output says so
        assert box.call("big", max_reply=32 * MB).shape == (2_000_000,)


def test_outputs_returned_as_long_lists_are_accepted():
    """150 000 floats as a list (Glorot draws of shape (300, 500), say): a 3.5 MB JSON header."""
    code = "import numpy as np\ndef draws():\n    return np.random.default_rng(0).standard_normal((300, 500)).tolist()\n"
    with _sandbox(code) as box:
        got = box.call("draws")
    np.testing.assert_array_equal(np.asarray(got), np.random.default_rng(0).standard_normal((300, 500)))


def test_forged_error_fields_are_clipped_by_the_grader():
    code = wire_attacks.PRELUDE + ("def f():\n" + "".join(
        "    " + line + "\n" for line in wire_attacks.IN_FUNCTION["error_5mb_long_fields"][1].splitlines()))
    with _sandbox(code, Limits(call_timeout_s=5.0, load_timeout_s=10.0)) as box:
        with pytest.raises(StudentRaised) as info:
            box.call("f")
        warnings = list(box.warnings)
    exc = info.value
    assert len(exc.exc_type) < 300 and len(exc.detail) < wire.MAX_TEXT + 100
    assert len(exc.where) == 5 and all(len(part) < 300 for entry in exc.where for part in map(str, entry))
    assert warnings and all(len(w) < 300 for w in warnings)


def test_a_forged_reply_then_a_stall_cannot_block_the_grader():
    """The function forges its own reply and sleeps: the grader's next request (bigger than a pipe's
    buffer) finds nobody reading, and times out instead of blocking forever."""
    code = wire_attacks.PRELUDE + (
        "def f():\n"
        "    _send(_reply(b'\"ok\":true,\"value\":{\"__tuple__\":[1,2]}'))\n"
        "    _stall()\n"
        "def g(x):\n    return x\n"
        "def h(x):\n    return x + 1\n")
    with _sandbox(code) as box:
        assert box.call("f") == (1, 2)  # what f could have returned itself
        with pytest.raises(TimedOut):
            box.call("g", np.zeros((300, 300)))  # 720 KB
        assert box.call("h", 2) == 3  # a fresh process answers


def test_printed_output_is_read_back_bounded():
    code = "import sys\ndef f():\n    sys.stdout.write('y' * 3_000_000 + 'END')\n    return 1\n"
    with _sandbox(code) as box:
        assert box.call("f") == 1
        tail = box.output_tail()
    assert len(tail) <= 4000 and tail.endswith("END")


# ------------------------------------------------------------------ attacks as graded submissions
# The peak RSS is the process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries that over
# exec from the process that forked it, so a grader started by a big pytest worker (xdist, after
# TensorFlow or a course) would report the worker's memory as its own.
GRADER = r"""
import json, resource, sys
from autograder.grading import grade_file
from autograder.sandbox import Limits

def peak_mb():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):  # no /proc (macOS): ru_maxrss is in bytes there
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2

limits = Limits(load_timeout_s=10.0, call_timeout_s=2.0, check_timeout_s=6.0, total_timeout_s=30.0)
for line in sys.stdin:
    name, path, lang = json.loads(line)
    result = grade_file("ex3", path, hidden=False, lang=lang, limits=limits).to_dict()
    print(json.dumps({"name": name, "result": result, "rss_mb": peak_mb()}), flush=True)
"""

#: attack: texts one of which every failed check's message (or the load error) holds
EXPECTED = {
    "nested_lists_100mb": ("it sent back 99.0 MB, more than the",),
    "nested_lists_7mb": ("more than 100000 lists and dicts",),
    "deep_nesting": ("nested more than 100 levels",),
    "deep_nesting_7mb": ("more than 100000 lists and dicts",),
    "deep_nesting_in_strings": ("nested more than 100 levels",),
    "error_150mb": ("it sent back 150.0 MB",),
    "error_5mb_long_fields": ("more characters]", "did not return within"),
    "raises_150mb": ("raised ValueError",),
    "many_strings": ("must return a pair", "did not return within"),
    "many_tiny_blobs": ("more than 10000 arrays",),
    "shared_blob": ("two arrays that share one blob", "did not return within"),
    "declares_500mb": ("it sent back 500.0 MB",),
    "junk_bytes": ("the grader accepts for this answer",),
    "trickle": ("did not return within 2 s",),
    # the forged reply is (None, None): read as what it is, the placeholder of an unfinished function
    "early_reply_then_sleep": ("got None", "did not return within", "is not implemented yet: it returns (None, None)"),
    "forged_ready_many_names": ("more than 10000 names",),
    "forged_ready_100mb": ("it sent 100.0 MB as its first message",),
    "forged_ready_odd_fields": ("not the answer to the request",),
}
assert set(EXPECTED) == set(wire_attacks.ATTACKS)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grader process grades a correct submission, every attack, the Spanish case and a second
    correct submission, in that order, reporting its peak RSS after each."""
    root = tmp_path_factory.mktemp("wire_hostile")
    jobs = [("correct_a", wire_attacks.solved(), "en"),
            *((name, wire_attacks.submission(name), "en") for name in wire_attacks.ATTACKS),
            ("declares_500mb_es", wire_attacks.submission("declares_500mb"), "es"),
            ("correct_b", wire_attacks.solved(), "en")]
    lines = []
    for name, source, lang in jobs:
        path = root / name / "ex3.py"
        path.parent.mkdir()
        path.write_text(source)
        lines.append(json.dumps([name, str(path), lang]))
    env = dict(os.environ, GRADER_HIDDEN_KEY="wire-hostile-key", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", GRADER], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["name"]: r for r in map(json.loads, proc.stdout.splitlines())}


def test_every_submission_has_a_result_and_the_correct_ones_get_full_marks(graded):
    assert set(graded) == {"correct_a", "correct_b", "declares_500mb_es", *wire_attacks.ATTACKS}
    for name in ("correct_a", "correct_b"):
        result = graded[name]["result"]
        assert result["error"] is None and result["score"] == result["max_score"] > 0, result


def _backward_points() -> float:
    return sum(c.points for c in checks_for("ex3", False) if c.name.startswith("dropout_backward"))


@pytest.mark.parametrize("name", list(wire_attacks.ATTACKS))
def test_an_attack_ends_in_a_clear_message_and_earns_only_its_own_points(graded, name):
    result = graded[name]["result"]
    texts = EXPECTED[name]
    if name in wire_attacks.AT_IMPORT:
        assert result["score"] == 0
        if result["error"]:
            assert any(t in result["error"] for t in texts), result["error"]
            return
    else:
        # dropout_backward is untouched and keeps its points; every dropout_forward check fails
        assert result["error"] is None and result["score"] == _backward_points(), result
    failed = [c["message"] for c in result["checks"] if not c["passed"]]
    assert failed and all(any(t in m for t in texts) for m in failed), failed


@pytest.mark.parametrize("name", list(wire_attacks.ATTACKS))
def test_an_attack_leaves_a_small_result(graded, name):
    result = graded[name]["result"]
    # every check's message is there in each language (and once more in the one graded for): bounded each
    assert len(json.dumps(result)) < 3 * 32 * 1024
    assert all(len(m) <= 4100 for c in result["checks"] for m in (c["message"], *c["messages"].values()))


def test_the_spanish_message_is_translated(graded):
    failed = [c["message"] for c in graded["declares_500mb_es"]["result"]["checks"] if not c["passed"]]
    assert failed and all("devolvió 500.0 MB" in m for m in failed), failed


def test_the_grader_process_memory_stays_bounded(graded):
    """Peak RSS of the grader process after each submission: the 100 MB, 150 MB and 500 MB frames,
    deep nesting and shared blobs never reach its memory (before these bounds, one 100 MB frame of
    nested lists took a worker to 2.8 GB)."""
    base = graded["correct_a"]["rss_mb"]
    peak = max(r["rss_mb"] for r in graded.values())
    assert peak < 200, {n: round(r["rss_mb"]) for n, r in graded.items()}
    assert peak - base < 120, {n: round(r["rss_mb"]) for n, r in graded.items()}
