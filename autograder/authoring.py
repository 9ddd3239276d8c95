"""Build exercise notebooks from their instructor source.

Source of truth: ``solutions/exN_slug.py``, a percent-format script whose cells
are introduced by ``# %% [kind attrs]`` lines:

    # %% [markdown]          English text (lines start with "# ")
    # %% [markdown es]       the Spanish text of the cell above
    # %% [code]              setup code, given to students as is
    # %% [solution id=NAME]  code with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions
    # %% [tests id=NAME]     a check cell (leave it empty: its code is generated, see TEST_CELL);
    #                        its points are those of the checks whose ``cell`` is NAME

From it, ``grader generate`` writes

* ``solutions/exN_slug.ipynb`` — the nbgrader source notebook (cell metadata
  with grade ids and points), bilingual markdown cells;
* ``exercises/exN_slug.ipynb`` — the student notebook: solution regions
  replaced by ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (as
  nbgrader does), hidden tests removed;
* ``exercises/exN_slug.py`` — the same student version as a plain script
  (texts as comments, check cells replaced by a pointer to ``grader check``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import registry

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

_HEADER = re.compile(r"^# %% \[(\w+)([^\]]*)\]\s*$")
_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*\n", re.S | re.M)
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n", re.S | re.M)
STUB = "{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"

#: what a check cell says in a kernel without the checker (JupyterHub, Colab): how to install the
#: student wheel (README "Install by hand", tools/student_dist.py), in one line, English / Spanish
INSTALL_HINT_EN = ("The checker is not installed in this kernel: run %pip install nn_grader_student-*.whl "
                   "(the wheel from your instructor), then restart the kernel.")
INSTALL_HINT_ES = ("El corrector no está instalado en este kernel: ejecuta %pip install nn_grader_student-*.whl "
                   "(el wheel de tu profesor) y reinicia el kernel.")

#: the code of every check cell. The hidden-test region only switches the hidden checks on, so
#: nbgrader's feedback (which shows hidden test source, nbgrader issue 917) reveals nothing; the
#: last expression is the cell's points, which nbgrader records as partial credit. Without the
#: checker the cell raises, saying how to install it: the cell fails visibly (Run All stops there)
#: and nbgrader scores a cell that raises 0 whatever its stderr settings (printing alone would
#: leave the cell "passing", and stderr output zeroes a cell only while nbgrader is told to).
TEST_CELL = """try:
    from autograder.notebook import check_cell
except ModuleNotFoundError:  # no checker in this kernel: say how to install it
    raise ModuleNotFoundError(
        "{hint_en} / "
        "{hint_es}"
    ) from None
hidden = False
### BEGIN HIDDEN TESTS
hidden = True
### END HIDDEN TESTS
check_cell("{exercise}", "{cell}", globals(), hidden=hidden)
"""


@dataclass
class SourceCell:
    kind: str                      # markdown, code, solution, tests
    attrs: dict = field(default_factory=dict)
    text: str = ""
    text_es: str = ""              # markdown only


def source_path(exercise_id: str) -> Path:
    ex = registry.get(exercise_id)
    return SOLUTIONS / f"{ex.id}_{ex.slug.replace('-', '_')}.py"


def parse(text: str) -> list[SourceCell]:
    """Split a percent-format source into cells; ``markdown es`` joins the cell before it."""
    cells: list[SourceCell] = []
    current: SourceCell | None = None
    lines: list[str] = []

    def flush():
        if current is None:
            return
        body = "\n".join(lines).strip("\n") + "\n"
        if current.kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.splitlines()).strip() + "\n"
        if current.kind == "markdown" and current.attrs.get("es"):
            if not cells or cells[-1].kind != "markdown":
                raise ValueError("a [markdown es] cell must follow an English [markdown] cell")
            cells[-1].text_es = body
        else:
            current.text = body
            cells.append(current)

    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            flush()
            attrs = {}
            for token in m.group(2).split():
                key, _, value = token.partition("=")
                attrs[key] = value or True
            current, lines = SourceCell(m.group(1), attrs), []
        elif current is not None:
            lines.append(line)
    flush()
    for cell in cells:
        if cell.kind not in ("markdown", "code", "solution", "tests"):
            raise ValueError(f"unknown cell kind {cell.kind!r}")
        if cell.kind == "tests" and cell.text.strip():
            raise ValueError(f"[tests id={cell.attrs.get('id')}] must be empty: its code is generated")
        if cell.kind in ("solution", "tests") and "id" not in cell.attrs:
            raise ValueError(f"a [{cell.kind}] cell needs id=NAME")
    return cells


def strip_solutions(code: str) -> str:
    return _SOLUTION.sub(lambda m: STUB.format(indent=m.group("indent")), code)


def strip_hidden(code: str) -> str:
    return _HIDDEN.sub("", code)


def cell_points(exercise_id: str) -> dict[str, float]:
    """Points of each check cell: the sum over the exercise's checks (public and hidden) in it."""
    from .grading import exercise_module

    points: dict[str, float] = {}
    for check in exercise_module(registry.get(exercise_id).id).CHECKS:
        points[check.cell] = points.get(check.cell, 0.0) + check.points
    return points


def _markdown(cell: SourceCell) -> str:
    if not cell.text_es:
        return cell.text
    return cell.text.rstrip() + "\n\n---\n\n*Español:*\n\n" + cell.text_es.strip() + "\n"


def _nb_cell(cell_type: str, source: str, cell_id: str, nbgrader: dict | None = None) -> dict:
    lines = source.rstrip("\n").splitlines(True)
    out = {"cell_type": cell_type, "id": cell_id, "metadata": {}, "source": lines}
    if nbgrader is not None:
        out["metadata"]["nbgrader"] = {"schema_version": 3, "task": False, "locked": False, **nbgrader}
    if cell_type == "code":
        out.update({"execution_count": None, "outputs": []})
    return out


def notebook(exercise_id: str, cells: list[SourceCell], student: bool) -> dict:
    """The nbgrader source notebook, or with ``student`` the released student version."""
    points = cell_points(exercise_id)
    nb_cells = []
    for i, cell in enumerate(cells):
        if cell.kind == "markdown":
            nb_cells.append(_nb_cell("markdown", _markdown(cell), f"md-{i}"))
        elif cell.kind == "code":
            nb_cells.append(_nb_cell("code", cell.text, f"code-{i}"))
        elif cell.kind == "solution":
            code = strip_solutions(cell.text) if student else cell.text
            nb_cells.append(_nb_cell("code", code, f"sol-{cell.attrs['id']}",
                                     {"grade": False, "solution": True, "grade_id": f"sol_{cell.attrs['id']}"}))
        else:
            cid = cell.attrs["id"]
            if cid not in points:
                raise ValueError(f"{exercise_id}: test cell {cid!r} carries no check (see autograder/exercises)")
            code = TEST_CELL.format(exercise=registry.get(exercise_id).id, cell=cid, hint_en=INSTALL_HINT_EN,
                                     hint_es=INSTALL_HINT_ES)
            code = strip_hidden(code) if student else code
            nb_cells.append(_nb_cell("code", code, f"test-{cid}", {"grade": True, "solution": False, "locked": True,
                                                                  "grade_id": f"test_{cid}", "points": points[cid]}))
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def student_script(exercise_id: str, cells: list[SourceCell], keep_solutions: bool = False) -> str:
    """The student version as a plain .py file (with ``keep_solutions``, the solved script)."""
    ex = registry.get(exercise_id)
    out = [f'"""{ex.id} ({ex.slug}): {ex.title} / {ex.title_es}.\n\n'
           f'Fill in the functions, then run `grader check {ex.id}` in this folder.\n'
           f'Completa las funciones y ejecuta `grader check {ex.id}` en esta carpeta.\n"""\n']
    for cell in cells:
        if cell.kind == "markdown":
            out.append("\n".join(("# " + ln).rstrip() for ln in _markdown(cell).splitlines()) + "\n")
        elif cell.kind == "code":
            out.append(cell.text)
        elif cell.kind == "solution":
            out.append(cell.text if keep_solutions else strip_solutions(cell.text))
        else:
            out.append(f"# Check: grader check {ex.id}   (cell {cell.attrs['id']})\n")
    return "\n\n".join(part.rstrip("\n") for part in out) + "\n"


def _dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def generated_files(exercise_id: str) -> dict[Path, str]:
    """path -> content of every file generated from the exercise's source."""
    src = source_path(exercise_id)
    cells = parse(src.read_text(encoding="utf-8"))
    stem = src.stem
    return {
        SOLUTIONS / f"{stem}.ipynb": _dump(notebook(exercise_id, cells, student=False)),
        EXERCISES / f"{stem}.ipynb": _dump(notebook(exercise_id, cells, student=True)),
        EXERCISES / f"{stem}.py": student_script(exercise_id, cells),
    }


def authored_exercises() -> list[str]:
    """Ids of the exercises that have a source in solutions/."""
    return [ex.id for ex in registry.EXERCISES if source_path(ex.id).is_file()]


def generate(exercise_ids=None) -> list[Path]:
    """Write the generated files; returns their paths."""
    written = []
    for ex_id in exercise_ids or authored_exercises():
        for path, content in generated_files(ex_id).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written
