"""Where a class's submissions are: each PATH given to ``grader grade`` is a submission file (the student
id is its folder's name), a folder holding one student's submission (id = folder name), or a folder of
such folders (a class); in a folder, the file of an exercise is the one the student worked on last.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import registry

SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


def find_submission_file(folder: Path, exercise_id: str) -> Path | None:
    """The file in ``folder`` that is this exercise's submission, if any: of the files named
    ``exN_*`` / ``exN.*`` / ``slug*``, the one the student worked on last (most recently
    modified; a notebook on a tie); a folder with exactly one notebook or script counts too."""
    candidates = submission_candidates(folder, exercise_id)
    return candidates[0] if candidates else None


def submission_candidates(folder: Path, exercise_id: str) -> list[Path]:
    """Every file in ``folder`` that may be this exercise's submission, the chosen one first."""
    ex = registry.get(exercise_id)
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in SUFFIXES
             and not p.name.startswith(".")]
    slug = ex.slug.replace("-", "_")

    def named(p: Path) -> bool:
        stem = p.stem.lower()
        return stem == ex.id or stem.startswith(ex.id + "_") or stem.startswith(slug) or stem.startswith(ex.slug)

    candidates = [p for p in files if named(p)] or (files if len(files) == 1 else [])
    return sorted(candidates, key=lambda p: (p.stat().st_mtime, p.suffix == ".ipynb"), reverse=True)


def same_code(a: Path, b: Path, names) -> bool | None:
    """Whether two submission files define ``names`` identically (compared as syntax trees, so a
    notebook and its .py twin with the same functions are the same); None when one cannot be read."""
    import ast

    from .loader import LoadError, load_source

    def definitions(path: Path) -> dict:
        found = {}
        for _, code in load_source(path).cells:
            for node in ast.parse(code).body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
                    found[node.name] = ast.dump(node)
        return found

    try:
        return definitions(a) == definitions(b)
    except (LoadError, SyntaxError, ValueError, OSError):
        return None


def discover(paths, exercise_id: str) -> tuple[list[Submission], list[str]]:
    """Submissions under the given paths, and warnings for paths that hold none."""
    found: list[Submission] = []
    warnings: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(Submission(path.resolve().parent.name, path))
        elif path.is_dir():
            own = find_submission_file(path, exercise_id)
            if own is not None:
                found.append(Submission(path.resolve().name, own))
                continue
            inner = [(d, find_submission_file(d, exercise_id)) for d in sorted(path.iterdir()) if d.is_dir()]
            for d, f in inner:
                if f is not None:
                    found.append(Submission(d.name, f))
                else:
                    warnings.append(f"{d}: no {exercise_id} submission found")
            if not inner:
                warnings.append(f"{path}: no {exercise_id} submission found")
        else:
            warnings.append(f"{path}: no such file or folder")
    seen: dict[str, int] = {}
    unique = []
    for sub in found:  # two paths naming the same student: keep both, disambiguated
        n = seen.get(sub.student, 0)
        seen[sub.student] = n + 1
        unique.append(sub if n == 0 else Submission(f"{sub.student}-{n + 1}", sub.path))
    return unique, warnings
