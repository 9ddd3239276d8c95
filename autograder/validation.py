"""`grader validate`: the grader agrees with an exercise before it goes out.

Validation grades, with public and hidden checks (on validation's own key, never the course's): the
solution notebook (must get full marks), the student version (must get zero without failing to load),
and every known mistake that has a variant of the reference (``reference_impl/mistakes_<ex>.py``):
each must lose the points of every check it targets, and be named there (its id in the check's
``mistakes``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import authoring, registry
from .course import notebook_name
from .grading import exercise_module, grade_file, grade_impl


@dataclass
class Validation:
    """What validating one exercise found; ``problems`` is empty when it may be released."""

    exercise: str
    solution_score: float = 0.0
    stub_score: float = 0.0
    max_score: float = 0.0
    mistakes_caught: int = 0
    mistakes_total: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_exercise(exercise: str, solution: Path | None = None, stub: Path | None = None) -> Validation:
    ex = registry.get(exercise)
    solution = solution or authoring.SOLUTIONS / notebook_name(ex.id)
    stub = stub or authoring.EXERCISES / notebook_name(ex.id)
    from .secret import VALIDATION_KEY

    v = Validation(ex.id, max_score=ex.points)
    # hidden checks on a draw of validation's own public key: the course's key never leaves `grader grade`
    sol = grade_file(ex.id, solution, hidden=True, lang="en", hidden_key=VALIDATION_KEY)
    v.solution_score = sol.score
    if not sol.full_marks or sol.score != ex.points:
        failed = [c.name for c in sol.checks if not c.passed]
        v.problems.append(f"solution {solution.name} scores {sol.score:g}/{ex.points:g}"
                          + (f": {sol.error}" if sol.error else f" (failed: {', '.join(failed[:5])})"))
    st = grade_file(ex.id, stub, hidden=True, lang="en", hidden_key=VALIDATION_KEY)
    v.stub_score = st.score
    if st.error:
        v.problems.append(f"student version {stub.name} cannot be loaded: {st.error}")
    elif st.score != 0:
        passed = [c.name for c in st.checks if c.passed]
        v.problems.append(f"student version {stub.name} scores {st.score:g} (passes: {', '.join(passed[:5])})")
    module = exercise_module(ex.id)
    from reference_impl import variants

    # the mistakes that have a variant of the reference to run (those of ex6, ex7, ex9 have none)
    variants.namespace()  # loads reference_impl/mistakes_*.py
    targeted = {m.id: m.targets for m in module.MISTAKES.values() if m.targets and m.id in variants.MISTAKES}
    if targeted:
        from .cases import CaseSource
        from .impl import LocalImpl

        # one source for every mistake: the hidden cases (and every known mistake's outputs on them) are
        # drawn and computed once, not once per mistake
        source = CaseSource(VALIDATION_KEY)
        for mistake, targets in targeted.items():
            v.mistakes_total += 1
            result = grade_impl(ex.id, LocalImpl(variants.namespace(mistake=mistake)), hidden=True, lang="en",
                                case_source=source, hidden_key=VALIDATION_KEY)
            by_id = {c.id: c for c in result.checks}
            missed = [t for t in targets if not (f"{ex.id}.{t}" in by_id and not by_id[f"{ex.id}.{t}"].passed
                                                 and mistake in by_id[f"{ex.id}.{t}"].mistakes)]
            if missed:
                v.problems.append(f"known mistake {mistake} is not caught and named by {', '.join(missed)}")
            else:
                v.mistakes_caught += 1
    return v
