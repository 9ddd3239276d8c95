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

One broken cell does not zero a notebook (nbgrader scores cell by cell): a cell
with a syntax error is left out and listed in :attr:`Source.skipped`, the other
cells are graded; only a notebook none of whose code cells compiles is a
:class:`LoadError`. A ``.py`` file is one unit, as Python runs it: a syntax
error anywhere is a :class:`LoadError` (``# %%`` markers do not split it).
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
    """The file cannot be turned into code: ``key`` names the problem for :mod:`.messages`;
    ``skipped``: other cells of the notebook with a syntax error too."""

    skipped: tuple = ()

    def __init__(self, key: str, **details):
        self.key, self.details = key, details
        super().__init__(f"{key}: {details}")


@dataclass(frozen=True)
class SkippedCell:
    """A notebook cell left out because it does not compile: where (``<cell 4>``), the syntax error,
    and the names its source would define (so a check can say why one of them is missing)."""

    filename: str
    line: int
    detail: str
    text: str
    defines: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return self.filename.strip("<>")

    def error(self) -> LoadError:
        return LoadError("syntax_error", where=self.where, line=self.line, detail=self.detail, text=self.text)


@dataclass(frozen=True)
class Source:
    """A submission's code: ``cells`` are (filename, code) pairs, filenames like ``<cell 3>``;
    ``skipped``: the notebook cells left out for a syntax error."""

    path: str
    kind: str
    cells: tuple[tuple[str, str], ...]
    removed_lines: int = 0
    skipped: tuple[SkippedCell, ...] = ()


# a top-level definition or import, read from code that may not compile
_DEFINES = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|^import\s+(.+)$|^from\s+\S+\s+import\s+(.+)$", re.M)


def defined_names(code: str) -> tuple[str, ...]:
    """The names ``code`` binds at top level (functions, classes, imports, assignments), in order:
    from its syntax tree when it parses, else from its ``def``/``class``/``import`` lines."""
    import ast

    names: list[str] = []
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        for m in _DEFINES.finditer(code):
            if m.group(1):
                names.append(m.group(1))
            else:
                for part in (m.group(2) or m.group(3) or "").strip("()\\ ").split(","):
                    words = part.split()
                    if words:
                        names.append(words[-1] if len(words) == 3 and words[1] == "as" else words[0].split(".")[0])
        return tuple(n for n in dict.fromkeys(names) if n.isidentifier())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return tuple(dict.fromkeys(names))


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
# the guard around the import (``authoring.TEST_CELL``): ``try:``, ``except ModuleNotFoundError:`` and the
# ``raise ModuleNotFoundError(`` of the install hint, its string lines and its ``) from None``
_IMPORT_GUARD = re.compile(r"""^\s*(?:try:|except\s+(?:ModuleNotFoundError|ImportError)\s*:"""
                           r"""|raise\s+(?:ModuleNotFoundError|ImportError)\(.*|(?:"[^"]*"\s*)+"""
                           r"""(?:\)\s*from\s+None)?|\)\s*from\s+None)\s*(?:#.*)?$""")


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
    """Code made only of a grader check cell's lines (``from autograder.notebook import check_cell``
    and the guard around it, the ``hidden`` switch, ``check_cell(...)``), comments and blank lines."""
    seen = False
    for line in code.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):  # the hidden-tests markers are comments
            continue
        if _CHECK_LINE.match(line):
            seen = True
        elif not _HIDDEN_SWITCH.match(line) and not _IMPORT_GUARD.match(line):
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
    compiled, skipped = [], []
    for filename, code in cells:
        try:
            compile(code, filename, "exec")
        except SyntaxError as exc:
            skipped.append(SkippedCell(filename, exc.lineno or 0, str(exc.msg), (exc.text or "").strip()[:200],
                                       defined_names(code)))
        except ValueError as exc:  # e.g. null bytes
            skipped.append(SkippedCell(filename, 0, str(exc), "", defined_names(code)))
        except (RecursionError, MemoryError):  # e.g. an expression of 100 000 terms
            skipped.append(SkippedCell(filename, 0, "too deeply nested to compile", "", defined_names(code)))
        else:
            compiled.append((filename, code))
    if skipped and (kind == "py" or not compiled):
        # a .py is one unit; a notebook none of whose cells compiles cannot be loaded at all
        error = skipped[0].error()
        error.skipped = tuple(skipped[1:])
        raise error
    return Source(str(path), kind, tuple(compiled), removed, tuple(skipped))
