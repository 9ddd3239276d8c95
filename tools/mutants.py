"""Systematic one-line mutants of the solutions: how many the grader catches, and how many it names.

    python tools/mutants.py [EX ...] [--survivors] [--unnamed] [--limit N]

A held-out measure, next to ``tools/mistake_coverage.py`` (which grades the project's own catalogue): the
mutants are made mechanically from each exercise's solution (``solutions/exN_*.py``), not written to match
a known mistake. Each mutant changes one expression inside one function of the solution:

* an arithmetic operator swapped (+ -, * /, ** *) or one operand of + - * / dropped;
* a unary minus dropped; a comparison flipped (< <=, > >=, < >);
* a number changed (0 1, 1 0 or 2, 2 1, 0.5 1, others doubled);
* ``axis`` 0 1 swapped, ``keepdims`` dropped, ``np.sum`` ``np.mean`` swapped, ``np.max`` ``np.min``
  swapped, a call of ``np.sqrt``/``np.exp``/``np.log``/``np.abs``/``np.sign`` replaced by its argument,
  a ``.T`` dropped.

Each mutant is graded in this process (hidden checks included, fixed key, 10 s each at most) and counted:

* **caught**: it loses points; **named**: one of its failing checks names a known mistake;
  **said**: named, or a failing check says what the wrong array is (the expected one with its sign
  flipped, scaled or shifted by one constant, subtracted from one constant, transposed or reshaped:
  ``autograder.compare.PATTERNS``);
* **survived**: full marks: an equivalent mutant (the same function written differently, e.g. a
  change in a branch no input reaches) or a blind spot; ``--survivors`` prints them to look at;
* **broken**: the mutated solution does not load (no grading happened), left out of the shares.

The names in a caught mutant's messages are the catalogue's (``MISTAKES``): a mutant that is not a
catalogued mistake is named only when its outputs coincide with one, so "named" is a lower bound of
how often a message says what went wrong.
"""
from __future__ import annotations

import argparse
import ast
import copy
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GRADER_HIDDEN_KEY", "mutants")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from autograder import authoring, registry  # noqa: E402
from autograder.compare import PATTERNS  # noqa: E402
from autograder.grading import grade_impl  # noqa: E402
from autograder.impl import LocalImpl  # noqa: E402

EXERCISES = ("ex1", "ex2", "ex3", "ex4", "ex5", "ex8", "ex10", "ex11")
SWAP_OPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult}
SWAP_CMP = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt,)}
SWAP_NP = {"sum": "mean", "mean": "sum", "max": "min", "min": "max"}
UNWRAP_NP = {"sqrt", "exp", "log", "abs", "sign"}
TIMEOUT_S = 10


class _Timeout(BaseException):
    """Raised by the alarm: not an Exception, so no check's handler swallows it."""


def _numbers(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    table = {0: [1], 1: [0, 2], 2: [1], 0.5: [1]}
    return table.get(value, [value * 2])


def _is_np(node, names):
    return (isinstance(node, ast.Attribute) and node.attr in names and isinstance(node.value, ast.Name)
            and node.value.id == "np")


def mutations(node):
    """(description, replacement node) for one AST node: the one-change mutants of this node alone."""
    out = []
    if isinstance(node, ast.BinOp):
        swap = SWAP_OPS.get(type(node.op))
        if swap:
            out.append((f"{type(node.op).__name__}->{swap.__name__}", ast.BinOp(node.left, swap(), node.right)))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            out.append(("drop right operand", node.left))
            if not isinstance(node.op, (ast.Sub, ast.Div)):
                out.append(("drop left operand", node.right))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("drop unary minus", node.operand))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for new in SWAP_CMP.get(type(node.ops[0]), ()):
            out.append((f"{type(node.ops[0]).__name__}->{new.__name__}", ast.Compare(node.left, [new()], node.comparators)))
    elif isinstance(node, ast.Constant):
        for new in _numbers(node.value):
            out.append((f"{node.value!r}->{new!r}", ast.Constant(new)))
    elif isinstance(node, ast.Call):
        if _is_np(node.func, SWAP_NP):
            new = copy.copy(node)
            new.func = ast.Attribute(ast.Name("np", ast.Load()), SWAP_NP[node.func.attr], ast.Load())
            out.append((f"np.{node.func.attr}->np.{SWAP_NP[node.func.attr]}", new))
        if _is_np(node.func, UNWRAP_NP) and len(node.args) == 1 and not node.keywords:
            out.append((f"np.{node.func.attr}(x)->x", node.args[0]))
        for i, kw in enumerate(node.keywords):
            if kw.arg == "axis" and isinstance(kw.value, ast.Constant) and kw.value.value in (0, 1):
                new = copy.copy(node)
                new.keywords = list(node.keywords)
                new.keywords[i] = ast.keyword("axis", ast.Constant(1 - kw.value.value))
                out.append((f"axis={kw.value.value}->{1 - kw.value.value}", new))
            if kw.arg == "keepdims":
                new = copy.copy(node)
                new.keywords = [k for j, k in enumerate(node.keywords) if j != i]
                out.append(("drop keepdims", new))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        out.append(("drop .T", node.value))
    return out


class _Replace(ast.NodeTransformer):
    """Replace one node (by identity) with another."""

    def __init__(self, target, replacement):
        self.target, self.replacement = target, replacement

    def visit(self, node):
        if node is self.target:
            return self.replacement
        return super().visit(node)


def _functions(tree, names):
    """The contract's functions and the methods of its classes, with their qualified names."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name in names:
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    yield f"{node.name}.{item.name}", item


def _sites(tree, names):
    """(function, node) for every node inside the bodies of the contract's functions, in a fixed order
    (docstrings left out)."""
    for qualname, fn in _functions(tree, names):
        for stmt in fn.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            for node in ast.walk(stmt):
                yield qualname, node


def make_mutants(ex_id: str):
    """[(function, line, description, source)] for every one-change mutant of the exercise's solution."""
    cells = authoring.parse(authoring.source_path(ex_id).read_text(encoding="utf-8"))
    tree = ast.parse(authoring.student_script(ex_id, cells, keep_solutions=True))
    names = set(registry.get(ex_id).names)
    plan = [(i, j, qualname, getattr(node, "lineno", 0), description)
            for i, (qualname, node) in enumerate(_sites(tree, names))
            for j, (description, _) in enumerate(mutations(node))]
    out = []
    for i, j, qualname, line, description in plan:
        copy_tree = copy.deepcopy(tree)
        node = next(n for k, (_, n) in enumerate(_sites(copy_tree, names)) if k == i)
        replacement = mutations(node)[j][1]
        mutant = ast.fix_missing_locations(_Replace(node, replacement).visit(copy_tree))
        out.append((qualname, line, description, ast.unparse(mutant)))
    return out


#: the fixed start of each pattern sentence, to count the messages that say one (a measure, not a verdict)
_PATTERN_STARTS = tuple(text.en.split("{")[0].strip() for text in PATTERNS.values())


def _says_pattern(message: str) -> bool:
    return any(start in message for start in _PATTERN_STARTS)


def _handler(signum, frame):
    raise _Timeout()


def grade_mutant(ex_id: str, source: str):
    """"broken", or the graded ExerciseResult."""
    namespace: dict = {"__name__": "student"}
    signal.signal(signal.SIGALRM, _handler)
    signal.alarm(TIMEOUT_S)
    try:
        try:
            exec(compile(source, f"<{ex_id} mutant>", "exec"), namespace)
        except Exception:  # noqa: BLE001 - a mutant that does not load
            return "broken"
        with np.errstate(all="ignore"):
            return grade_impl(ex_id, LocalImpl(namespace), hidden=True, lang="en")
    except _Timeout:
        return "timeout"
    finally:
        signal.alarm(0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--survivors", action="store_true", help="print the mutants that keep full marks")
    parser.add_argument("--unnamed", action="store_true", help="print the caught mutants that name no mistake")
    parser.add_argument("--limit", type=int, default=0, help="at most N mutants per exercise (every k-th)")
    args = parser.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")
    totals = dict.fromkeys(("mutants", "broken", "timeout", "caught", "named", "said", "survived"), 0)
    print(f"{'exercise':8} {'mutants':>7} {'broken':>6} {'survived':>8} {'caught':>6} {'named':>14} {'said':>14}")
    for ex_id in args.exercises or EXERCISES:
        mutants = make_mutants(ex_id)
        if args.limit and len(mutants) > args.limit:
            step = len(mutants) / args.limit
            mutants = [mutants[int(i * step)] for i in range(args.limit)]
        counts = dict.fromkeys(totals, 0)
        lines = []
        for qualname, line, description, source in mutants:
            counts["mutants"] += 1
            result = grade_mutant(ex_id, source)
            if result in ("broken", "timeout"):
                counts["broken"] += 1
                counts["timeout"] += result == "timeout"
                continue
            failing = [c for c in result.checks if not c.passed]
            if not failing:
                counts["survived"] += 1
                if args.survivors:
                    lines.append(f"  survived: {qualname} line {line}: {description}")
                continue
            counts["caught"] += 1
            named = any(c.mistakes for c in failing)
            counts["named"] += named
            said = named or any(_says_pattern(c.message) for c in failing)
            counts["said"] += said
            if not said and args.unnamed:
                lines.append(f"  unnamed: {qualname} line {line}: {description} -> {failing[0].id}: "
                             f"{failing[0].message.replace(chr(10), ' ')[:140]}")
        for k in totals:
            totals[k] += counts[k]
        c = counts
        graded = c["caught"] + c["survived"]
        print(f"{ex_id:8} {c['mutants']:7} {c['broken']:6} {c['survived']:8} {c['caught']:6} "
              f"{c['named']:6} {100 * c['named'] / max(c['caught'], 1):5.1f} % "
              f"{c['said']:6} {100 * c['said'] / max(c['caught'], 1):5.1f} %"
              f"   (caught {100 * c['caught'] / max(graded, 1):5.1f} % of graded)")
        for text in lines:
            print(text)
    t = totals
    graded = t["caught"] + t["survived"]
    print(f"{'all':8} {t['mutants']:7} {t['broken']:6} {t['survived']:8} {t['caught']:6} "
          f"{t['named']:6} {100 * t['named'] / max(t['caught'], 1):5.1f} % "
          f"{t['said']:6} {100 * t['said'] / max(t['caught'], 1):5.1f} %"
          f"   (caught {100 * t['caught'] / max(graded, 1):5.1f} % of graded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
