"""Submissions that attack the grader through the sandbox's reply channel (used by
``tests/test_wire_hostile.py`` and ``bench/bench_wire.py``).

Each attack is a real ex3 (dropout) submission: the solved file with code run at the start of
``dropout_forward`` (or at import, for a forged ``ready``). The code does what any student's code
can do in the student process: find the reply descriptor (the only writable pipe it holds: found
by ``fstat`` and a zero-byte write on every descriptor), read the current request's id and
nonce from the request loop's frame (``sys._getframe``), and write its own frames there.
"""
from __future__ import annotations

from autograder import authoring

#: helpers prepended to every attacking submission
PRELUDE = '''\
import os as _os, stat as _stat, struct as _struct, sys as _sys, time as _time


def _reply_fd():
    for fd in range(3, 4096):
        try:
            if _stat.S_ISFIFO(_os.fstat(fd).st_mode):
                _os.write(fd, b"")  # the read end of the request pipe refuses this
                return fd
        except OSError:
            pass
    raise RuntimeError("no reply descriptor")


def _request():
    frame = _sys._getframe()
    while frame is not None:
        header = frame.f_locals.get("header")
        if isinstance(header, dict) and "nonce" in header:
            return header
        frame = frame.f_back
    return {"id": 0, "nonce": ""}


def _reply(fields):
    """The JSON header of a reply to the current request, with ``fields`` (JSON text, bytes)."""
    request = _request()
    return b'{"kind":"reply","id":%d,"nonce":"%s",' % (request["id"], request["nonce"].encode()) + fields + b"}"


def _send(head, tail=b"", declared=None):
    """One frame: 8-byte length (``declared`` or the true one), 4-byte header length, header, blobs."""
    size = 4 + len(head) + len(tail) if declared is None else declared
    data = memoryview(_struct.pack("!QI", size, len(head)) + head + tail)
    fd = _reply_fd()
    while data:
        data = data[_os.write(fd, data):]


def _stall():
    while True:
        _time.sleep(1)

'''

MB = 1024 * 1024

#: name: (what it does, code at the start of dropout_forward, or None) — the frame sizes are chosen
#: both above the grader's bound for a reply (8 MB plus four times the request's arrays) and below
#: it, where the header's checks must do the work
IN_FUNCTION = {
    "nested_lists_100mb": (
        "a 100 MB reply of nested empty lists",
        "_send(_reply(b'\"ok\":true,\"value\":{\"__list__\":[' + b'[],' * (33 * 1024 * 1024) + b'[]]}'))\n_stall()"),
    "nested_lists_7mb": (
        "a 7 MB reply of empty lists (inside the frame bound)",
        "_send(_reply(b'\"ok\":true,\"value\":{\"__list__\":[' + b'[],' * (7 * 1024 * 1024 // 3) + b'[]]}'))\n"
        "_stall()"),
    "deep_nesting": (
        "a reply nested 90 000 levels deep (fewer containers than the bound)",
        "_send(_reply(b'\"ok\":true,\"value\":' + b'[' * 90000 + b']' * 90000))\n_stall()"),
    "deep_nesting_7mb": (
        "a 7 MB reply nested 7 million levels deep",
        "_send(_reply(b'\"ok\":true,\"value\":' + b'[' * (7 * 1024 * 1024) + b']' * 10))\n_stall()"),
    "deep_nesting_in_strings": (
        "brackets hidden in strings and escaped quotes to hide a 200-level nesting",
        "_send(_reply(b'\"ok\":true,\"x\":\"]]]]\\\\\\\\\",\"y\":\"\\\\\"]]]]\\\\\"\",\"value\":' + "
        "b'{\"__list__\":[' * 200 + b']}' * 200))\n_stall()"),
    "error_150mb": (
        "a forged error reply whose message is 150 MB",
        "_send(_reply(b'\"ok\":false,\"error\":{\"type\":\"ValueError\",\"message\":\"' + b'x' * (150 * 1024 * 1024)"
        " + b'\",\"where\":[]}'))\n_stall()"),
    "error_5mb_long_fields": (
        "a forged error reply with a 5 MB message, a 100 KB type name and 1000 long 'where' entries",
        "_send(_reply(b'\"ok\":false,\"error\":{\"type\":\"' + b'T' * 100000 + b'\",\"message\":\"' + "
        "b'x' * (5 * 1024 * 1024) + b'\",\"where\":[' + b','.join([b'[\"<cell 1>\",1,\"' + b'f' * 1000 + b'\",\"'"
        " + b'l' * 1000 + b'\"]'] * 1000) + b']},\"warnings\":[\"' + b'w' * 100000 + b'\"]'))\n_stall()"),
    "raises_150mb": (
        "an honest exception whose message is 150 MB",
        "raise ValueError('x' * (150 * 1024 * 1024))"),
    "many_strings": (
        "a 7.5 MB reply of 490 000 short strings (inside every bound: the costliest header found)",
        "_send(_reply(b'\"ok\":true,\"value\":{\"__list__\":[' + b','.join([b'\"abcdefghijkl\"'] * 490000) + b']}'))"
        "\n_stall()"),
    "many_tiny_blobs": (
        "a reply declaring 400 000 empty blobs",
        "_send(_reply(b'\"ok\":true,\"value\":null,\"blobs\":[' + b','.join([b'0'] * 400000) + b']'))\n_stall()"),
    "shared_blob": (
        "one 4 MB blob referenced by 2 000 arrays (80 GB if each were decoded)",
        "_send(_reply(b'\"ok\":true,\"blobs\":[4194304],\"value\":{\"__list__\":[' + b','.join("
        "[b'{\"__array__\":0,\"dtype\":\"float64\",\"shape\":[524288]}'] * 2000) + b']}'), b'\\0' * 4194304)\n"
        "_stall()"),
    "declares_500mb": (
        "a frame that declares 500 MB and sends 1 KB",
        "_send(_reply(b'\"ok\":true,\"value\":null'), b'\\0' * 1024, declared=500 * 1024 * 1024)\n_stall()"),
    "junk_bytes": (
        "64 MB of random bytes on the reply descriptor",
        "_fd = _reply_fd()\nfor _ in range(64):\n    _os.write(_fd, _os.urandom(1024 * 1024))\n_stall()"),
    "trickle": (
        "a 4 MB frame sent one byte at a time",
        "_fd = _reply_fd()\n_os.write(_fd, _struct.pack('!Q', 4 * 1024 * 1024))\nwhile True:\n"
        "    _os.write(_fd, b' ')"),
    "early_reply_then_sleep": (
        "a forged reply, then the function sleeps (the next request finds nobody reading)",
        "_send(_reply(b'\"ok\":true,\"value\":{\"__tuple__\":[null,null]}'))\n_stall()"),
}

AT_IMPORT = {
    "forged_ready_many_names": (
        "a forged 'ready' listing 20 000 names",
        "_send(b'{\"kind\":\"ready\",\"names\":{' + b','.join(b'\"n%d\":\"function\"' % i for i in range(20000))"
        " + b'},\"confinement\":{\"mount_ns\":true}}')\n_stall()"),
    "forged_ready_100mb": (
        "a forged 100 MB 'ready'",
        "_send(b'{\"kind\":\"ready\",\"names\":{},\"confinement\":{\"x\":\"' + b'c' * (100 * 1024 * 1024) + b'\"}}')"
        "\n_stall()"),
    "forged_ready_odd_fields": (
        "a forged 'ready' with names and a confinement report of the wrong kinds (then the real one follows)",
        "_send(b'{\"kind\":\"ready\",\"names\":{\"dropout_forward\":\"function\",\"' + b'n' * 5000 + b'\":\"class\","
        "\"dropout_backward\":[1,2]},\"confinement\":{\"pid_ns\":\"' + b'p' * 50000 + b'\",\"net_ns\":[1],'"
        " + b'\"' + b'k' * 100 + b'\":true}}')"),
}

ATTACKS = {**IN_FUNCTION, **AT_IMPORT}


def solved(ex_id: str = "ex3") -> str:
    return authoring.student_script(ex_id, authoring.parse(authoring.source_path(ex_id).read_text()),
                                    keep_solutions=True)


def submission(name: str) -> str:
    """The source of the attacking ex3 submission ``name``."""
    base = solved("ex3")
    if name in AT_IMPORT:
        return PRELUDE + AT_IMPORT[name][1] + "\n" + base
    code = IN_FUNCTION[name][1]
    body = "".join("    " + line + "\n" for line in code.splitlines())
    marker = "def dropout_forward(a, p, train=True, rng=None):\n"
    head, sep, rest = base.partition(marker)
    assert sep, "the solved ex3 defines dropout_forward"
    # after the docstring, if any
    lines = rest.splitlines(True)
    i = 0
    if lines and lines[0].lstrip().startswith(('"""', "'''")):
        quote = lines[0].lstrip()[:3]
        i = 1 if lines[0].count(quote) >= 2 else next(j for j in range(1, len(lines)) if quote in lines[j]) + 1
    return PRELUDE + head + sep + "".join(lines[:i]) + body + "".join(lines[i:])
