"""Turn a submission file (.ipynb or .py) into the code cells the sandbox runs.

Notebook → code cells in order, minus nbgrader test cells (``grade: true``,
``solution: false``: they call the grader and run in nbgrader, never in the
sandbox; a check cell whose nbgrader metadata was lost is recognised by its
code, and a check line pasted into an answer becomes ``pass``). A malformed
notebook is read as far as it goes: cells that are not objects, metadata of
the wrong type and odd sources (lists with non-strings, numbers, none) do not
stop the code that is there from being graded; a file that is empty, not
UTF-8, not JSON, without a list of cells, or larger than
``MAX_SUBMISSION_MB`` is a :class:`LoadError` with a clear message. IPython
syntax is tolerated and not executed: ``%magic``, ``!shell`` and
``x = !cmd`` lines become ``pass``; a cell magic such as
``%%time`` is dropped and its body kept, other cell magics (``%%bash``,
``%%writefile`` …) drop the cell. Each cell is compiled here, in the grader's
process (compiling runs nothing), so a syntax error is reported with its cell
and line before any process starts.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

#: cell magics whose body is ordinary Python.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}

# %magic, !shell, ?help, x = !cmd / x = %magic, and obj? / obj?? help lines
_LINE_MAGIC = re.compile(r"^(\s*)(?:[%!?]|[A-Za-z_][\w.]*\s*=\s*[%!]|[A-Za-z_][\w.]*\?{1,2}\s*$)")


class LoadError(Exception):
    """The file cannot be turned into code: ``key`` names the problem for :mod:`.messages`."""

    def __init__(self, key: str, **details):
        self.key, self.details = key, details
        super().__init__(f"{key}: {details}")


@dataclass(frozen=True)
class Source:
    """A submission's code: ``cells`` are (filename, code) pairs, filenames like ``<cell 3>``."""

    path: str
    kind: str
    cells: tuple[tuple[str, str], ...]
    removed_lines: int = 0


def _strip_ipython(code: str) -> tuple[str | None, int]:
    """Return (python code or None to drop the cell, number of lines replaced)."""
    lines = code.splitlines()
    removed = 0
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split()[0] if lines[0].strip() != "%%" else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None, len(lines)
        lines = lines[1:]
        removed += 1
    out = []
    for line in lines:
        m = _LINE_MAGIC.match(line)
        if m:
            out.append(f"{m.group(1)}pass  # IPython line not run by the grader")
            removed += 1
        else:
            out.append(line)
    return "\n".join(out) + "\n", removed


#: the largest submission file the grader reads (a notebook's outputs can make it huge: beyond this,
#: the student is asked to clear them); ``$GRADER_MAX_SUBMISSION_MB`` overrides it.
MAX_SUBMISSION_MB = 32

# lines of a grader check cell (``authoring.TEST_CELL``): they call the grader, which never runs in the
# sandbox (nor is importable there), so a check cell that lost its nbgrader metadata is still not run
_CHECK_LINE = re.compile(r"^(\s*)(?:from\s+autograder(?:\.\w+)*\s+import\b.*|import\s+autograder\b.*"
                         r"|check_cell\s*\(.*\)\s*(?:#.*)?)$")
_HIDDEN_SWITCH = re.compile(r"^\s*hidden\s*=\s*(?:True|False)\s*$")


def max_submission_bytes() -> int:
    import os

    try:
        mb = float(os.environ.get("GRADER_MAX_SUBMISSION_MB", MAX_SUBMISSION_MB))
    except ValueError:
        mb = MAX_SUBMISSION_MB
    return int(max(mb, 0.001) * 2**20)


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata, or {} when the cell, its metadata or that entry is not a dict."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def cell_text(cell: dict) -> str:
    """A cell's source as one string, whatever shape it came in (a list of lines, a string, a number,
    nothing): non-string lines are read as text, a missing source is empty."""
    src = cell.get("source", "")
    if isinstance(src, str):
        return src
    if isinstance(src, list):
        return "".join(s if isinstance(s, str) else "" if s is None else str(s) for s in src)
    return "" if src is None or isinstance(src, (dict, bool)) else str(src)


def is_check_cell_code(code: str) -> bool:
    """Code made only of a grader check cell's lines (``from autograder.notebook import check_cell``,
    the ``hidden`` switch, ``check_cell(...)``), comments and blank lines."""
    seen = False
    for line in code.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):  # the hidden-tests markers are comments
            continue
        if _CHECK_LINE.match(line):
            seen = True
        elif not _HIDDEN_SWITCH.match(line):
            return False
    return seen


def _is_test_cell(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _strip_check_lines(code: str) -> str:
    """A student cell that calls the grader (a check pasted into an answer): those lines become ``pass``."""
    if "autograder" not in code and "check_cell" not in code:
        return code
    return "\n".join(f"{m.group(1)}pass  # grader check line, not run by the grader" if (m := _CHECK_LINE.match(ln))
                     else ln for ln in code.splitlines()) + "\n"


def read_notebook(path: Path) -> dict:
    """Parse a notebook file into a dict with a list of cells; LoadError (a message key) when it is too
    large, empty, not UTF-8 or not a notebook. The cells themselves are not checked."""
    size = path.stat().st_size
    limit = max_submission_bytes()
    if size > limit:
        raise LoadError("too_large", path=path.name, size=size / 2**20, limit=limit / 2**20)
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("empty_file", path=path.name)
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (some Windows editors) is not an error
    except UnicodeDecodeError:
        raise LoadError("not_utf8", path=path.name) from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError("broken_notebook", path=path.name, detail=f"line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise LoadError("too_deep", path=path.name) from None
    except ValueError as exc:  # e.g. a number of thousands of digits
        raise LoadError("broken_notebook", path=path.name, detail=str(exc).split(";")[0]) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise LoadError("not_a_notebook", path=path.name)
    return nb


def _notebook_cells(path: Path) -> tuple[list[tuple[str, str]], int]:
    nb = read_notebook(path)
    cells, removed = [], 0
    for number, cell in enumerate(nb["cells"], start=1):
        # malformed cells (not a dict, metadata of the wrong type, odd sources) are read as far as they go
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        code = cell_text(cell)
        if is_check_cell_code(code):  # a check cell whose nbgrader metadata was lost or mangled
            continue
        code, n = _strip_ipython(_strip_check_lines(code))
        removed += n
        if code is not None and code.strip():
            cells.append((f"<cell {number}>", code))
    return cells, removed


def load_source(path) -> Source:
    """Read and syntax-check a submission. Raises LoadError with a message key."""
    path = Path(path)
    if not path.is_file():
        raise LoadError("missing_file", path=str(path))
    if path.stat().st_size > max_submission_bytes():
        raise LoadError("too_large", path=path.name, size=path.stat().st_size / 2**20,
                        limit=max_submission_bytes() / 2**20)
    if path.suffix == ".ipynb":
        cells, removed = _notebook_cells(path)
        kind = "ipynb"
    elif path.suffix == ".py":
        try:
            cells, removed = [(f"<{path.name}>", path.read_text(encoding="utf-8"))], 0
        except UnicodeDecodeError:
            raise LoadError("not_utf8", path=path.name) from None
        kind = "py"
    else:
        raise LoadError("bad_suffix", path=path.name)
    for filename, code in cells:
        try:
            compile(code, filename, "exec")
        except SyntaxError as exc:
            raise LoadError("syntax_error", where=filename.strip("<>"), line=exc.lineno or 0,
                            detail=exc.msg, text=(exc.text or "").strip()) from None
        except ValueError as exc:  # e.g. null bytes
            raise LoadError("syntax_error", where=filename.strip("<>"), line=0, detail=str(exc), text="")
    return Source(str(path), kind, tuple(cells), removed)
