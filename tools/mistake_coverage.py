"""How well the grader names the mistakes of its own catalogue.

    python tools/mistake_coverage.py [EX ...] [--list]      (all exercises with a catalogue by default)

Every known mistake (``reference_impl/mistakes_exN.py``: exactly one error in the reference) is graded
in this process, hidden checks included, with a fixed key. Printed per exercise:

* **caught**: mistaken submissions that lose points (every one should);
* **named**: mistaken submissions whose feedback names *their* mistake (its id is in some failing
  check's ``mistakes``): the share of failing submissions whose message names the mistake;
* **checks naming**: failing checks (over all mistaken submissions) whose message names a mistake,
  the issue's stricter per-message figure: a check that fails as a consequence of the mistake but
  says only "values differ" counts against it;
* ``--list``: the failing checks that name nothing, so that they can be looked at one by one.

A correct form (``reference_impl.variants.FORMS``) must keep full marks; the script says so if not.
Exit status 1 when a catalogued mistake keeps full marks or a form loses points.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GRADER_HIDDEN_KEY", "mistake-coverage")

from autograder import registry  # noqa: E402
from autograder.cases import CaseSource  # noqa: E402
from autograder.grading import exercise_module, grade_impl  # noqa: E402
from autograder.impl import LocalImpl  # noqa: E402
from reference_impl import variants  # noqa: E402


def catalogued() -> list[str]:
    return [e.id for e in registry.EXERCISES if importlib.util.find_spec(f"reference_impl.mistakes_{e.id}")]


def measure(ex_id: str) -> dict:
    module = exercise_module(ex_id)
    out = {"exercise": ex_id, "mistakes": 0, "caught": 0, "named": 0, "failing_checks": 0,
           "checks_naming": 0, "unnamed": [], "missed": [], "wrongly_named": [], "passing_named": []}
    source = CaseSource(os.environ["GRADER_HIDDEN_KEY"])  # hidden cases drawn and computed once for all mistakes
    for mistake_id in module.MISTAKES:
        result = grade_impl(ex_id, LocalImpl(variants.namespace(mistake=mistake_id)), hidden=True, lang="en",
                            case_source=source)
        out["mistakes"] += 1
        failing = [c for c in result.checks if not c.passed]
        # a check that keeps its points (a note: another check scores the error) says the mistake, never records it
        out["passing_named"] += [(mistake_id, c.id) for c in result.checks if c.passed and c.mistakes]
        if not failing:
            out["missed"].append(mistake_id)
            continue
        out["caught"] += 1
        found = {m for c in failing for m in c.mistakes}
        if mistake_id in found:
            out["named"] += 1
        else:
            out["wrongly_named"].append((mistake_id, sorted(found)))
        for c in failing:
            out["failing_checks"] += 1
            if c.mistakes:
                out["checks_naming"] += 1
            else:
                out["unnamed"].append((mistake_id, c.id, c.message.replace("\n", " ")[:160]))
    return out


def forms_ok(ex_id: str) -> list[str]:
    bad = []
    for form in variants.FORMS:
        result = grade_impl(ex_id, LocalImpl(variants.namespace(form=form)), hidden=True, lang="en")
        if result.score != registry.get(ex_id).points:
            bad.append(form)
    return bad


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} %" if b else "    -  "


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--list", action="store_true", help="list the failing checks that name no mistake")
    args = parser.parse_args(argv)
    exercises = args.exercises or catalogued()
    totals = dict.fromkeys(("mistakes", "caught", "named", "failing_checks", "checks_naming"), 0)
    status = 0
    print(f"{'exercise':8} {'mistakes':>8} {'caught':>8} {'named':>16} {'checks naming':>22}")
    for ex_id in exercises:
        m = measure(ex_id)
        for k in totals:
            totals[k] += m[k]
        print(f"{ex_id:8} {m['mistakes']:8} {m['caught']:8} {m['named']:6} {_pct(m['named'], m['caught'])}"
              f"   {m['checks_naming']:5}/{m['failing_checks']:<5} {_pct(m['checks_naming'], m['failing_checks'])}")
        for mistake_id in m["missed"]:
            print(f"  KEEPS FULL MARKS: {mistake_id}")
            status = 1
        for mistake_id, check_id in m["passing_named"]:
            print(f"  PASSING CHECK RECORDS A MISTAKE: {mistake_id} -> {check_id}")
            status = 1
        for mistake_id, found in m["wrongly_named"]:
            print(f"  not named: {mistake_id} (named instead: {', '.join(found) or 'nothing'})")
        if args.list:
            for mistake_id, check_id, message in m["unnamed"]:
                print(f"  unnamed: {mistake_id} -> {check_id}: {message}")
        for form in forms_ok(ex_id):
            print(f"  CORRECT FORM LOSES POINTS: {form}")
            status = 1
    t = totals
    print(f"{'all':8} {t['mistakes']:8} {t['caught']:8} {t['named']:6} {_pct(t['named'], t['caught'])}"
          f"   {t['checks_naming']:5}/{t['failing_checks']:<5} {_pct(t['checks_naming'], t['failing_checks'])}")
    return status


if __name__ == "__main__":
    sys.exit(main())
