"""Turn a submission file (.ipynb or .py) into the code cells the sandbox runs.

Notebook → code cells in order, minus nbgrader test cells (``grade: true``,
``solution: false``: they call the grader and run in nbgrader, never in the
sandbox). IPython syntax is tolerated and not executed: ``%magic``,
``!shell`` and ``x = !cmd`` lines become ``pass``; a cell magic such as
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


def _is_test_cell(cell: dict) -> bool:
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def _notebook_cells(path: Path) -> tuple[list[tuple[str, str]], int]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise LoadError("not_utf8", path=path.name) from None
    except json.JSONDecodeError as exc:
        raise LoadError("broken_notebook", path=path.name, detail=f"line {exc.lineno}: {exc.msg}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise LoadError("broken_notebook", path=path.name, detail="no list of cells")
    cells, removed = [], 0
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        src = cell.get("source", "")
        code = "".join(src) if isinstance(src, list) else str(src)
        code, n = _strip_ipython(code)
        removed += n
        if code is not None and code.strip():
            cells.append((f"<cell {number}>", code))
    return cells, removed


def load_source(path) -> Source:
    """Read and syntax-check a submission. Raises LoadError with a message key."""
    path = Path(path)
    if not path.is_file():
        raise LoadError("missing_file", path=str(path))
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
