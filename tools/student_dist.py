"""Build the student distribution: the public checker and nothing to copy.

    python tools/student_dist.py [--out dist/student]      (what `make student-dist` runs)

The student wheel (distribution ``nn-grader-student``, console script
``grader``) holds the public-check path of the ``autograder`` package —
``grader check EX [PATH]``, ``grader list``, ``grader limits`` and the
notebooks' check cells (``autograder.notebook.check_cell``) — and the public
fixtures (reference outputs and named mistakes' outputs on the public inputs).
Nothing else: no ``reference_impl``, no ``solutions``, none of the instructor
modules (course workflow, validation, release, feedback, the reference's
selfcheck, the cases computed by the reference, the course secret).

What ships is an **allow-list** (:data:`MODULES`, :data:`PATTERNS`): a new
module is instructor-only until it is listed here. The script stages a copy of
the listed files with a generated ``pyproject.toml``, adds
``autograder/_student.py`` (which makes every instructor command of the CLI
answer "this is the student install" with exit code 2), builds the wheel with
pip and checks it: exactly the staged files, every module-level import of a
shipped module shipped too, and no import of ``reference_impl`` or
``solutions`` anywhere in it.
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip's own copy of the same parser
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DIST_NAME = "nn-grader-student"

#: the modules of the public-check path, each decided on its own (see the report in issue 10):
#: they hold no reference formula and import neither reference_impl nor solutions.
MODULES = (
    "autograder/__init__.py",
    "autograder/entry.py",        # the `grader` program: starts the student process's template first
    "autograder/check_command.py",  # `grader check` without click (entry.py's fast path and cli.py's command)
    "autograder/cli.py",          # instructor commands become one-line refusals (autograder/_student.py)
    "autograder/registry.py",
    "autograder/messages.py",
    "autograder/results.py",
    "autograder/render.py",
    "autograder/loader.py",
    "autograder/compare.py",
    "autograder/checks.py",
    "autograder/stats.py",        # the distribution checks' bounds
    "autograder/net_checks.py",   # the TwoLayerNet constructor check of ex1 and ex2
    "autograder/api.py",          # what the student commands call (imports the rest lazily)
    "autograder/cases.py",        # public fixtures only; live cases are in reference_cases.py (not shipped)
    "autograder/grading.py",
    "autograder/impl.py",
    "autograder/notebook.py",
    "autograder/redact.py",
    "autograder/submissions.py",  # which file `grader check` grades
    "autograder/data.py",         # ex6/ex7/ex12 data sets (scikit-learn's bundled ones, Fashion-MNIST's lookup)
    "autograder/sanitize.py",     # inert display of what a submission printed
    "autograder/exercises/__init__.py",
    "autograder/sandbox/__init__.py",
    "autograder/sandbox/errors.py",
    "autograder/sandbox/paths.py",
    "autograder/sandbox/process.py",
    "autograder/sandbox/launch.py",
    "autograder/sandbox/zygote.py",
    "autograder/sandbox/catalog.py",
    "autograder/sandbox/child.py",
    "autograder/sandbox/confine.py",
    "autograder/sandbox/helpers.py",
    "autograder/sandbox/wire.py",
)
#: every exercise's check module and public fixture (a check module carries no reference code:
#: comparisons read the fixtures; see tests/test_student_dist.py for what is scanned)
PATTERNS = (
    "autograder/exercises/ex[0-9]*.py",
    "autograder/fixtures/ex[0-9]*.json",
)
#: CLI commands a student has; every other command of the instructor CLI is refused
STUDENT_COMMANDS = ("check", "list", "limits")
#: what the student can add: Jupyter for the notebooks; the Keras/scikit-learn stack for ex6, ex7, ex9, ex12
NOTEBOOK_EXTRA = ["notebook>=7", "ipykernel>=6"]
FORBIDDEN_TOP_LEVEL = ("reference_impl", "solutions")

README = """\
# nn-grader-student

The checker of the feedforward-networks course: `grader check EX [PATH]` runs
the public checks of an exercise on your notebook or `.py` file, `grader list`
lists the exercises, and the notebooks' check cells grade each function in
place. It holds no reference solution.

El corrector del curso de redes hacia delante: `grader check EX [RUTA]` pasa
las comprobaciones públicas de un ejercicio a tu cuaderno o fichero `.py`,
`grader list` muestra los ejercicios y las celdas de comprobación de los
cuadernos corrigen cada función en su sitio. No contiene ninguna solución.

```bash
pip install '{wheel}[notebook]'   # + Jupyter; [keras] adds TensorFlow/Keras, scikit-learn and bayesian-optimization (ex6, ex7, ex9, ex12)
grader check ex3 --lang es
```
"""


class BuildError(Exception):
    """The student distribution cannot be built as allowed: the message says why."""


def shipped_files(root: Path = ROOT) -> list[str]:
    """The repository files that ship, as paths relative to ``root`` (sorted)."""
    missing = [m for m in MODULES if not (root / m).is_file()]
    if missing:
        raise BuildError(f"allow-listed module(s) missing: {', '.join(missing)}")
    files = set(MODULES)
    for pattern in PATTERNS:
        found = sorted(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
        if not found:
            raise BuildError(f"nothing matches {pattern}")
        files.update(found)
    return sorted(files)


def _module_name(rel: str) -> str:
    parts = rel[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_time(tree: ast.Module) -> set[int]:
    """ids of the nodes that run when the module is imported: not function bodies, and not except
    handlers (the fallback of an import that failed, like cli.py's instructor branch)."""
    found: set[int] = set()

    def visit(node):
        found.add(id(node))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ExceptHandler)):
                visit(child)

    visit(tree)
    return found


def _is_module(root: Path, name: str) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def check_imports(root: Path, files: list[str]) -> list[str]:
    """Problems in the shipped sources: an import of reference_impl/solutions anywhere, or an
    import-time import of an ``autograder`` module that does not ship."""
    shipped = {_module_name(f) for f in files if f.endswith(".py")} | {"autograder._student"}
    problems = []
    for rel in (f for f in files if f.endswith(".py")):
        tree = ast.parse((root / rel).read_text(encoding="utf-8"), rel)
        module, is_package = _module_name(rel), rel.endswith("__init__.py")
        at_import = _import_time(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from X import y`: the module X.y when there is one, else the name y of X
                targets = [f"{prefix}.{a.name}" if _is_module(root, f"{prefix}.{a.name}") else prefix
                           for a in node.names]
            else:
                continue
            targets = list(dict.fromkeys(targets))
            forbidden = [t for t in targets if t.split(".")[0] in FORBIDDEN_TOP_LEVEL]
            if forbidden:
                problems.append(f"{rel}:{node.lineno} imports {forbidden[0]}")
            elif id(node) in at_import:
                for target in targets:
                    if target.split(".")[0] == "autograder" and target not in shipped:
                        problems.append(f"{rel}:{node.lineno} imports {target} when imported, which does not ship")
    return problems


def instructor_commands() -> list[str]:
    """Every command of the instructor CLI that students do not get (read from this checkout)."""
    sys.path.insert(0, str(ROOT))
    try:
        from autograder.cli import main
    finally:
        sys.path.remove(str(ROOT))
    if not str(Path(sys.modules["autograder"].__file__).resolve()).startswith(str(ROOT)):
        raise BuildError("imported an autograder package from outside this checkout")
    missing = [c for c in STUDENT_COMMANDS if c not in main.commands]
    if missing:
        raise BuildError(f"student command(s) not in the CLI: {', '.join(missing)}")
    return sorted(set(main.commands) - set(STUDENT_COMMANDS))


def _setuptools_version() -> tuple[int, ...] | None:
    if importlib.util.find_spec("setuptools") is None:
        return None
    from importlib.metadata import version

    return tuple(int(p) for p in version("setuptools").split(".")[:2] if p.isdigit())


def pyproject(version: str, packages: list[str], setuptools: tuple[int, ...] | None) -> str:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # setuptools >= 77 reads an SPDX license string; older ones only a table (built without isolation)
    license_ = '"MIT"' if setuptools is None or setuptools >= (77,) else '{ text = "MIT" }'
    requires = '"setuptools>=77"' if setuptools is None else '"setuptools>=61"'

    def toml_list(items):
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    return (
        "[build-system]\n"
        f"requires = [{requires}]\n"
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{DIST_NAME}"\n'
        f'version = "{version}"\n'
        'description = "The public checker of the feedforward-networks course (no reference, no solutions)"\n'
        'readme = "README.md"\n'
        f'requires-python = "{root["requires-python"]}"\n'
        f"license = {license_}\n"
        f"dependencies = {toml_list(root['dependencies'])}\n\n"
        "[project.optional-dependencies]\n"
        f"notebook = {toml_list(NOTEBOOK_EXTRA)}\n"
        f"keras = {toml_list(root['optional-dependencies']['keras'])}\n\n"
        "[project.scripts]\n"
        'grader = "autograder.entry:main"\n\n'
        "[tool.setuptools]\n"
        f"packages = {toml_list(packages)}\n"
        "include-package-data = false\n\n"
        "[tool.setuptools.package-data]\n"
        'autograder = ["fixtures/*.json"]\n'
    )


def _version() -> str:
    tree = ast.parse((ROOT / "autograder" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise BuildError("no __version__ in autograder/__init__.py")


def build(out: Path, quiet: bool = True) -> Path:
    """Build the student wheel into ``out`` (older student wheels there are removed); returns its path."""
    files = shipped_files()
    problems = check_imports(ROOT, files)
    if problems:
        raise BuildError("the allow-listed modules do not stand alone:\n  " + "\n  ".join(problems))
    commands = instructor_commands()
    version = _version()
    wheel_name = f"{DIST_NAME.replace('-', '_')}-{version}-py3-none-any.whl"
    setuptools = _setuptools_version()
    isolated = setuptools is None or setuptools < (61,)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{DIST_NAME.replace('-', '_')}-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="student-dist-") as tmp:
        stage = Path(tmp)
        for rel in files:
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, stage / rel)
        (stage / "autograder" / "_student.py").write_text(
            '"""Marks the student distribution (written by tools/student_dist.py): the CLI answers each\n'
            'instructor command below with "this is the student install" and exit code 2."""\n'
            f"INSTRUCTOR_COMMANDS = {tuple(commands)!r}\n", encoding="utf-8")
        packages = sorted({_module_name(f.rsplit("/", 1)[0] + "/__init__.py") for f in files if f.endswith(".py")})
        (stage / "pyproject.toml").write_text(pyproject(version, packages, setuptools), encoding="utf-8")
        (stage / "README.md").write_text(README.format(wheel=wheel_name), encoding="utf-8")
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(out),
               str(stage)]
        if not isolated:
            cmd.insert(5, "--no-build-isolation")
        if quiet:  # pip's and setuptools' chatter is shown only when the build fails
            cmd.insert(4, "--quiet")
        done = subprocess.run(cmd, capture_output=quiet, text=True)
        if done.returncode:
            raise BuildError(f"{' '.join(cmd)} failed:\n{done.stdout or ''}{done.stderr or ''}")
        expected = set(files) | {"autograder/_student.py"}
    wheel = out / wheel_name
    if not wheel.is_file():
        raise BuildError(f"pip did not write {wheel}")
    verify(wheel, expected)
    return wheel


def verify(wheel: Path, expected: set[str]) -> None:
    """The wheel holds exactly the staged files plus its .dist-info."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
    dist_info = [n for n in names if n.split("/")[0].endswith(".dist-info")]
    package = set(names) - set(dist_info)
    if package != expected:
        raise BuildError(f"{wheel.name}: unexpected files {sorted(package - expected)}, "
                         f"missing {sorted(expected - package)}")
    bad = [n for n in names if n.split("/")[0] in FORBIDDEN_TOP_LEVEL]
    if bad:
        raise BuildError(f"{wheel.name} holds {bad}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "student", help="folder for the wheel")
    parser.add_argument("--list", action="store_true", help="print the files of the wheel")
    args = parser.parse_args(argv)
    try:
        wheel = build(args.out)
    except BuildError as exc:
        print(f"student-dist: {exc}", file=sys.stderr)
        return 1
    if args.list:
        with zipfile.ZipFile(wheel) as z:
            print("\n".join(n for n in z.namelist() if not n.endswith("/")))
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
