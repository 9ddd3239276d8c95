"""The sandbox's file system side: what the student process may see, and where its code comes from.

:func:`private_paths`: what a confined submission cannot see (covered when :func:`_can_cover`);
:data:`BLOCKED`: the grader's packages it cannot import; :func:`_student_paths`: the folder of
links to the allowed packages that is its ``sys.path``; :func:`_child_code`: ``child.py`` and
:data:`CHILD_MODULES` compiled under neutral file names, so that no path of the grader's
installation reaches it.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")
#: the modules the student process runs besides child.py (sent compiled, see :func:`_child_code`)
CHILD_MODULES = ("confine", "wire", "catalog", "helpers")

#: top-level packages a submission may not import.
BLOCKED = ("autograder", "reference_impl", "solutions", "tests", "nbgrader")


_site_cache: dict[tuple[str, ...], str] = {}
#: private_paths' answers by (extra, current folder, home, temporary folder, sys.path)
_private_cache: dict[tuple, tuple[str, ...]] = {}


def private_paths(extra=()) -> list[str]:
    """Paths a confined submission cannot see: the grader's project (reference, solutions,
    fixtures, course folders inside it), the installed grader packages, the current folder,
    ``$HOME``, the temporary folder (other submissions' runs), plus ``extra`` (the folders of
    the class being graded, the output folder). What the interpreter needs inside them stays."""
    import autograder

    # the same answer for the same places (looking the packages up lists folders: ~1.5 ms a start)
    key = (tuple(str(p) for p in extra), os.getcwd(), str(Path.home()), tempfile.gettempdir(), tuple(sys.path))
    if key not in _private_cache:
        package = Path(autograder.__file__).resolve().parent
        paths = [package.parent, package, Path.cwd(), Path.home(), Path(tempfile.gettempdir())]
        for name in ("reference_impl", "solutions"):
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            if spec is not None and spec.submodule_search_locations:
                paths.extend(Path(p) for p in spec.submodule_search_locations)
        paths.extend(Path(p) for p in extra)
        if len(_private_cache) > 64:
            _private_cache.clear()
        _private_cache[key] = tuple(dict.fromkeys(str(p.resolve()) for p in paths))
    return list(_private_cache[key])


def _can_cover() -> bool:
    """Whether the child can cover the private paths (``confine.possible()``: Linux, root)."""
    return sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0


_code_cache: dict = {}


def _renamed(code, filename: str):
    """``code`` and the code objects inside it with ``co_filename`` set to ``filename``."""
    consts = tuple(_renamed(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _child_code() -> dict:
    """child.py and :data:`CHILD_MODULES` as code objects (once per version of the files; from
    ``__pycache__`` when it is fresh) renamed to neutral file names (``sandbox/wire.py``): the
    student process gets no path of the grader's installation. Same interpreter on both sides,
    so marshal's format matches."""
    from importlib.machinery import SourceFileLoader

    here = CHILD.parent
    names = ("child",) + CHILD_MODULES
    stamp = tuple((here / f"{n}.py").stat().st_mtime_ns for n in names)
    if _code_cache.get("stamp") != stamp:
        _code_cache.clear()
        _code_cache["code"] = {n: _renamed(SourceFileLoader(n, str(here / f"{n}.py")).get_code(n), f"sandbox/{n}.py")
                               for n in names}
        _code_cache["stamp"] = stamp
    return _code_cache["code"]


def _farm_ok(farm: Path, links: dict[str, Path]) -> bool:
    """A folder of links that is ours, writable by nobody else, and holds exactly ``links``."""
    try:
        st = farm.lstat()
        if not farm.is_dir() or farm.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
        have = {p.name: Path(os.readlink(p)) for p in farm.iterdir() if p.is_symlink()}
    except OSError:
        return False
    return have == links and len(list(farm.iterdir())) == len(links)


def _student_paths(packages: tuple[str, ...] | None) -> list[str]:
    """sys.path entries for the child: a folder of links to just the allowed packages.

    The folder is shared by every grading process of this user for this site-packages and
    package set (``$TMPDIR/grader-site-<uid>-<hash>``), built once and checked before reuse,
    so batches leave no folder behind per process.
    """
    import zlib  # a name, not a secret: the folder's contents are checked before it is used (_farm_ok)

    spec = importlib.util.find_spec("numpy")  # where it is, without importing it (``grader check`` starts
    if spec is None or not spec.origin:        # the student process before it imports NumPy itself)
        raise ImportError("NumPy is not installed")
    site = Path(spec.origin).resolve().parent.parent
    if packages is None:
        return [str(site)]
    key = tuple(sorted(packages))
    if key in _site_cache and Path(_site_cache[key]).is_dir():
        return [_site_cache[key]]
    links = {e.name: e for e in site.iterdir() if e.name.split("-")[0].split(".")[0] in key}
    named = f"{site}|{'|'.join(key)}"
    tag = f"{zlib.crc32(named.encode()):08x}"
    farm = Path(tempfile.gettempdir()) / f"grader-site-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}"
    if not _farm_ok(farm, links):
        fresh = Path(tempfile.mkdtemp(prefix="grader-site-new-"))
        for name, target in links.items():
            (fresh / name).symlink_to(target)
        fresh.chmod(0o755)  # a confined child may run as nobody
        if farm.is_dir() and not farm.is_symlink() and farm.stat().st_uid == os.getuid():
            shutil.rmtree(farm, ignore_errors=True)  # ours but stale (packages changed)
        try:
            os.rename(fresh, farm)  # atomic; another process may have won the race
        except OSError:
            shutil.rmtree(fresh, ignore_errors=True)
        if not _farm_ok(farm, links):  # someone else's folder in the way: use a private one
            farm = Path(tempfile.mkdtemp(prefix="grader-site-"))
            for name, target in links.items():
                (farm / name).symlink_to(target)
            farm.chmod(0o755)
    _site_cache[key] = str(farm)
    return [str(farm)]

