"""Load benchmark: 500 submissions (ex1–ex5, 10 % hostile) graded by `grader grade --jobs 2`.

1. Generates, in a temporary folder, N submissions per exercise (default 100:
   90 ordinary + 10 hostile, deterministic, no randomness) as
   class_exN/studentNNN/<exercise stem>.py. Ordinary kinds: the solved script,
   the student stub, solved with its first function renamed (a name missing),
   a syntax error, solved with one line made numerically wrong. Hostile kinds
   (one each at the default size; they act at import time or replace the
   file): an infinite loop, sys.exit(0), os._exit(3), a growing list up to the
   memory limit, 200 MB printed, a segfault (ctypes), NumPy's comparisons
   monkeypatched, a fake JSON result printed, fake result files written into
   its cwd, $HOME and '..', an infinite recursion.
2. Runs `grader grade exN CLASS --jobs J --out GRADES --json` once per
   exercise as a subprocess and times each run.
3. Meanwhile a thread samples the grader's process tree through /proc every
   0.1 s and keeps each process's VmHWM (peak RSS): the main process, its
   ProcessPoolExecutor workers, and separately the sandboxed student
   processes (command line marked autograder.sandbox.CHILD_MARK). Linux only;
   skipped without /proc.
4. Proves the results: one JSON record, one GRADES/exN/<student>.json and one
   gradebook.csv row per student; each kind's expected score and message;
   identical records for identical files, and identical to a sequential
   `--jobs 1` run of one copy of each distinct file; no forged result file,
   no stray *.tmp, no sandbox folder left behind.

Usage: python bench/bench_load.py [--per-exercise 100] [--hostile-fraction 0.1]
       [--jobs 2] [--keep DIR] [EX ...]
(run from the repository root with the repository on PYTHONPATH; the grader
subprocesses get the same autograder package as this script)
Prints one line per exercise and a total line; exits 1 with the list of
discrepancies when a check of correctness fails. Timings are not asserted.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import autograder
from autograder import authoring, registry
from autograder.grading import checks_for
from autograder.sandbox import CHILD_MARK  # in the student processes' command line

ROOT = Path(autograder.__file__).resolve().parent.parent
EXERCISES = ("ex1", "ex2", "ex3", "ex4", "ex5")
SAMPLE_INTERVAL_S = 0.1
MIB = 1024

#: ordinary submissions cycle through this pattern (90 of them: 50 solved, 10 of each other kind)
ORDINARY_CYCLE = ("solved", "stub", "solved", "missing", "solved", "syntax", "solved", "wrong", "solved")
HOSTILE_KINDS = ("loop_at_import", "sys_exit", "os_exit", "memory_hog", "print_200mb", "segfault",
                 "monkeypatch_numpy", "fake_json", "fake_files", "recursion")

#: one line of each solved script made numerically wrong (a classic mistake, exactly one occurrence)
WRONG_LINE = {
    "ex1": ("return np.maximum(z, 0.0)", "return np.abs(z)"),
    "ex2": ("return 1.0 - np.tanh(z) ** 2", "return 1.0 - np.tanh(z)"),
    "ex3": ("mask = (rng.random(a.shape) < p) / p", "mask = (rng.random(a.shape) < p) * 1.0"),
    "ex4": ("return 2 * lam * W", "return lam * W"),
    "ex5": ('velocity = config["momentum"] * velocity - config["learning_rate"] * dw',
            'velocity = config["momentum"] * velocity + config["learning_rate"] * dw'),
}


@dataclass(frozen=True)
class Expect:
    """What a kind must get: score "full", "zero" or "partial" (strictly between), and a text that
    must be in the error (``in_error``) or in every failed check's message (``in_failed``)."""

    score: str
    in_error: tuple[str, ...] = ()
    in_failed: str = ""
    loads: bool = True  # error is None


EXPECT: dict[str, Expect] = {
    "solved": Expect("full"),
    "stub": Expect("zero", in_failed="NotImplementedError"),
    "missing": Expect("partial"),
    "syntax": Expect("zero", in_error=("Syntax error",), loads=False),
    "wrong": Expect("partial"),
    "loop_at_import": Expect("zero", in_error=("did not finish loading within 20 s",), loads=False),
    "sys_exit": Expect("zero", in_error=("SystemExit",), loads=False),
    "os_exit": Expect("zero", in_error=("stopped the Python process", "exited with code 3"), loads=False),
    "memory_hog": Expect("zero", in_error=("MemoryError",), loads=False),
    # the output cap (RLIMIT_FSIZE 8 MiB) makes the first print fail at top level: 0 points, with the
    # message that names the cap
    "print_200mb": Expect("zero", in_error=("printed or wrote more than the grader keeps",), loads=False),
    "segfault": Expect("zero", in_error=("segmentation fault",), loads=False),
    "monkeypatch_numpy": Expect("zero", in_failed="NotImplementedError"),
    "fake_json": Expect("zero", in_failed="NotImplementedError"),
    "fake_files": Expect("zero", in_failed="NotImplementedError"),
    "recursion": Expect("zero", in_error=("RecursionError",), loads=False),
}


# ------------------------------------------------------------------ submissions
def stem(ex_id: str) -> str:
    return authoring.source_path(ex_id).stem


def solved_script(ex_id: str) -> str:
    src = authoring.source_path(ex_id)
    return authoring.student_script(ex_id, authoring.parse(src.read_text()), keep_solutions=True)


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"bench_load: expected exactly one {old!r} in the solved script")
    return text.replace(old, new)


def ordinary_sources(ex_id: str) -> dict[str, str]:
    solved = solved_script(ex_id)
    stub = (authoring.EXERCISES / f"{stem(ex_id)}.py").read_text()
    first_def = solved.index("\ndef ") + 1
    return {
        "solved": solved,
        "stub": stub,
        "missing": solved[:first_def] + solved[first_def:].replace("def ", "def renamed_", 1),
        "syntax": solved.replace("\ndef ", "\ndef (", 1),
        "wrong": replace_once(solved, *WRONG_LINE[ex_id]),
    }


def hostile_sources(ex_id: str, n_students: int) -> dict[str, str]:
    solved = solved_script(ex_id)
    stub = (authoring.EXERCISES / f"{stem(ex_id)}.py").read_text()
    points = registry.get(ex_id).points
    fake = f"{{'exercise': '{ex_id}', 'score': {points}, 'max_score': {points}, 'checks': [], 'error': None}}"
    forge = (
        "import json, os\n"
        f"fake = {fake}\n"
        "for base in (os.getcwd(), os.environ.get('HOME', '.'), '..'):\n"
        f"    folder = os.path.join(base, 'grades', '{ex_id}')\n"
        "    try:\n"
        "        os.makedirs(folder, exist_ok=True)\n"
        f"        for i in range({n_students}):\n"
        "            with open(os.path.join(folder, f'student{i:03d}.json'), 'w') as fh:\n"
        "                json.dump(dict(fake, student=f'student{i:03d}'), fh)\n"
        "        with open(os.path.join(folder, 'gradebook.csv'), 'w') as fh:\n"
        f"            fh.write('student,score\\n' + ''.join(f'student{{i:03d}},{points}\\n' for i in range({n_students})))\n"
        "    except OSError:\n"
        "        pass\n"
    )
    return {
        "loop_at_import": "while True:\n    pass\n" + solved,
        "sys_exit": "import sys\nsys.exit(0)\n" + solved,
        "os_exit": "import os\nos._exit(3)\n" + solved,
        "memory_hog": "hog = []\nwhile True:\n    hog.append(bytearray(10**7))\n" + solved,
        "print_200mb": "print('x' * 10**8)\nprint('x' * 10**8)\n" + solved,
        "segfault": "import ctypes\nctypes.string_at(0)\n" + solved,
        "monkeypatch_numpy": ("import numpy as np\n"
                              "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                              "np.array_equal = lambda *a, **k: True\n"
                              "np.testing.assert_allclose = lambda *a, **k: None\n" + stub),
        "fake_json": f"import json\nprint(json.dumps([dict({fake}, student='student000')]))\n" + stub,
        "fake_files": forge + stub,
        "recursion": "def down(n):\n    return down(n + 1)\ndown(0)\n" + solved,
    }


def layout(n: int, hostile_fraction: float) -> list[str]:
    """The kind of each student, hostile ones spread evenly among the ordinary ones."""
    n_hostile = round(n * hostile_fraction)
    hostile_at = {int((k + 0.5) * n / n_hostile) for k in range(n_hostile)} if n_hostile else set()
    kinds, ordinary, hostile = [], 0, 0
    for i in range(n):
        if i in hostile_at:
            kinds.append(HOSTILE_KINDS[hostile % len(HOSTILE_KINDS)])
            hostile += 1
        else:
            kinds.append(ORDINARY_CYCLE[ordinary % len(ORDINARY_CYCLE)])
            ordinary += 1
    return kinds


@dataclass
class Klass:
    """One exercise's generated class: student -> kind and content hash."""

    ex_id: str
    folder: Path
    kinds: dict[str, str]
    digests: dict[str, str]
    sources: dict[str, str]


def make_class(ex_id: str, folder: Path, n: int, hostile_fraction: float) -> Klass:
    sources = {**ordinary_sources(ex_id), **hostile_sources(ex_id, n)}
    kinds: dict[str, str] = {}
    digests: dict[str, str] = {}
    for i, kind in enumerate(layout(n, hostile_fraction)):
        student = f"student{i:03d}"
        sub = folder / student
        sub.mkdir(parents=True)
        (sub / f"{stem(ex_id)}.py").write_text(sources[kind], encoding="utf-8")
        kinds[student] = kind
        digests[student] = hashlib.sha256(sources[kind].encode("utf-8")).hexdigest()
    return Klass(ex_id, folder, kinds, digests, sources)


def make_alone(klass: Klass, folder: Path) -> dict[str, str]:
    """One copy of each distinct file, under its first student's id; returns digest -> student."""
    first: dict[str, str] = {}
    for student, digest in klass.digests.items():
        if digest not in first:
            first[digest] = student
            sub = folder / student
            sub.mkdir(parents=True)
            (sub / f"{stem(klass.ex_id)}.py").write_text(klass.sources[klass.kinds[student]], encoding="utf-8")
    return first


# ------------------------------------------------------------------ /proc sampling
def proc_available() -> bool:
    return Path(f"/proc/{os.getpid()}/status").is_file()


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/<pid>/stat of every process (no CONFIG_PROC_CHILDREN needed)."""
    table: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _read(f"/proc/{entry.name}/stat")
        if not stat:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()  # the command name may hold spaces and ')'
        table[int(fields[1])].append(int(entry.name))
    return table


def vm_hwm_kib(pid: int) -> int | None:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(b"VmHWM:"):
            return int(line.split()[1])
    return None


@dataclass
class Peaks:
    """Peak RSS (VmHWM, KiB) seen per process, by role."""

    main: int = 0
    workers: dict[int, int] = field(default_factory=dict)
    students: dict[int, int] = field(default_factory=dict)
    samples: int = 0

    @property
    def worker_max(self) -> int:
        return max(self.workers.values(), default=0)

    @property
    def student_max(self) -> int:
        return max(self.students.values(), default=0)

    @property
    def total(self) -> int:
        return self.main + sum(self.workers.values())


def sample_tree(root: int, peaks: Peaks) -> None:
    """One sample: walk the tree under ``root`` and raise each process's recorded peak."""
    table = children_map()
    stack = [(root, 0)]
    while stack:
        pid, parent = stack.pop()
        stack.extend((child, pid) for child in table.get(pid, ()))
        hwm = vm_hwm_kib(pid)
        if hwm is None:  # gone, or a zombie
            continue
        if pid == root:
            peaks.main = max(peaks.main, hwm)
        elif CHILD_MARK.encode() in _read(f"/proc/{pid}/cmdline"):
            peaks.students[pid] = max(peaks.students.get(pid, 0), hwm)
        elif parent == root:
            peaks.workers[pid] = max(peaks.workers.get(pid, 0), hwm)
        # else: a worker's fork not yet exec'ed into child.py, counted nowhere
    peaks.samples += 1


@contextmanager
def sampling(root: int) -> Iterator[Peaks]:
    """Sample the tree under ``root`` every SAMPLE_INTERVAL_S in a thread while the block runs."""
    peaks, stop = Peaks(), threading.Event()

    def loop() -> None:
        while True:
            sample_tree(root, peaks)
            if stop.wait(SAMPLE_INTERVAL_S):
                return

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()


# ------------------------------------------------------------------ running the grader
@dataclass
class Run:
    ex_id: str
    records: list[dict]
    wall: float
    returncode: int
    stderr: str
    peaks: Peaks | None


def grader_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["TMPDIR"] = str(tmp)  # the sandboxes' folders, so that leftovers can be checked
    env["GRADER_LANG"] = "en"
    env.setdefault("GRADER_HIDDEN_KEY", "nn-grader-bench-hidden-key")  # grading outside a course needs a key
    return env


def run_grader(ex_id: str, klass: Path, out: Path, jobs: int, env: dict[str, str], cwd: Path,
               measure: bool) -> Run:
    cmd = [sys.executable, "-c", "from autograder.cli import main; main()",
           "grade", ex_id, str(klass), "--jobs", str(jobs), "--out", str(out), "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    peaks: Peaks | None = None
    if measure:
        with sampling(proc.pid) as peaks:
            stdout, stderr = proc.communicate()
    else:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    try:
        records = json.loads(stdout)
    except json.JSONDecodeError:
        records = []
    return Run(ex_id, records, wall, proc.returncode, stderr, peaks)


# ------------------------------------------------------------------ correctness
class Checker:
    """Counts every check of correctness and keeps the failed ones."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def check(self, category: str, ok: bool, what: str) -> bool:
        self.counts[category] += 1
        if not ok:
            self.failures.append(f"[{category}] {what}")
        return ok

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def comparable(record: dict) -> dict:
    """A record without what depends on where the file was (student id, path)."""
    return {k: v for k, v in record.items() if k not in ("student", "path")}


def check_complete(c: Checker, klass: Klass, run: Run, grades: Path) -> dict[str, dict]:
    """a. one record, one result file, one gradebook row per student; returns student -> record."""
    ex, cat = klass.ex_id, "a. complete"
    c.check(cat, run.returncode == 0, f"{ex}: grader exited {run.returncode}: {run.stderr[-500:]}")
    students = [r.get("student") for r in run.records]
    c.check(cat, len(students) == len(set(students)), f"{ex}: duplicate records {Counter(students).most_common(3)}")
    c.check(cat, set(students) == set(klass.kinds),
            f"{ex}: records missing {sorted(set(klass.kinds) - set(students))[:5]}, "
            f"unexpected {sorted(set(students) - set(klass.kinds))[:5]}")
    records = {r.get("student"): r for r in run.records}
    folder = grades / ex
    files = {p.stem for p in folder.glob("*.json")}
    c.check(cat, files == set(klass.kinds), f"{ex}: result files differ from the students: "
            f"missing {sorted(set(klass.kinds) - files)[:5]}, extra {sorted(files - set(klass.kinds))[:5]}")
    for student in klass.kinds:
        path = folder / f"{student}.json"
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            c.check(cat, False, f"{ex}/{student}: result file unreadable: {exc}")
            continue
        c.check(cat, saved == records.get(student), f"{ex}/{student}: result file differs from the JSON record")
        c.check(cat, saved.get("sha256") == klass.digests[student],
                f"{ex}/{student}: graded a file with sha256 {saved.get('sha256')}, not the generated one")
    try:
        with open(folder / "gradebook.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        rows = []
        c.check(cat, False, f"{ex}: gradebook.csv unreadable: {exc}")
    row_students = [r["student"] for r in rows]
    c.check(cat, sorted(row_students) == sorted(klass.kinds),
            f"{ex}: gradebook.csv has {len(rows)} rows for {len(klass.kinds)} students "
            f"({len(set(row_students))} distinct)")
    for row in rows:
        rec = records.get(row["student"])
        if rec is not None:
            c.check(cat, row["score"] == f"{rec['score']:g}",
                    f"{ex}/{row['student']}: gradebook.csv score {row['score']} != record {rec['score']:g}")
    return records


def check_expected(c: Checker, klass: Klass, records: dict[str, dict]) -> None:
    """b. each kind's score and message."""
    ex = registry.get(klass.ex_id)
    names = [ch.name for ch in checks_for(ex.id, hidden=True)]
    cat = "b. expected"
    for student, kind in klass.kinds.items():
        rec = records.get(student)
        if rec is None:
            continue
        where = f"{ex.id}/{student} ({kind})"
        exp = EXPECT[kind]
        score, max_score = rec["score"], rec["max_score"]
        c.check(cat, max_score == ex.points, f"{where}: max_score {max_score} != {ex.points}")
        c.check(cat, [ch["name"] for ch in rec["checks"]] == names,
                f"{where}: checks {len(rec['checks'])} differ from the exercise's {len(names)} (public + hidden)")
        c.check(cat, sum(ch["points"] for ch in rec["checks"]) == score, f"{where}: score != sum of points")
        ok = {"full": score == max_score, "zero": score == 0, "partial": 0 < score < max_score}[exp.score]
        c.check(cat, ok, f"{where}: score {score:g}/{max_score:g}, expected {exp.score}; error {rec['error']!r}")
        c.check(cat, (rec["error"] is None) == exp.loads, f"{where}: error {rec['error']!r}")
        for text in exp.in_error:
            c.check(cat, text in (rec["error"] or ""), f"{where}: {text!r} not in error {rec['error']!r}")
        if exp.in_failed:
            failed = [ch["message"] for ch in rec["checks"] if not ch["passed"]]
            bad = [m for m in failed if exp.in_failed not in m]
            c.check(cat, bool(failed) and not bad, f"{where}: {exp.in_failed!r} not in messages {bad[:2]}")
        if kind == "missing":
            c.check(cat, any("is not defined" in ch["message"] for ch in rec["checks"]),
                    f"{where}: no check says a name is not defined")


def check_deterministic(c: Checker, klass: Klass, records: dict[str, dict], alone: dict[str, dict]) -> None:
    """c. identical files, identical records: every copy's record equals the sequential run's record
    of that file (so all copies are equal too)."""
    cat = "c. deterministic"
    for student, digest in klass.digests.items():
        rec, ref = records.get(student), alone.get(digest)
        where = f"{klass.ex_id}/{student} ({klass.kinds[student]})"
        if rec is None:
            continue
        if ref is None:
            c.check(cat, False, f"{where}: its file has no record in the sequential run")
            continue
        mine, theirs = comparable(rec), comparable(ref)
        diff = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
        c.check(cat, not diff, f"{where}: record differs from the sequential run of the same file in {diff}: "
                f"batch {json.dumps(mine)[:600]} sequential {json.dumps(theirs)[:600]}")


def check_no_forgery(c: Checker, root: Path, grades_dirs: list[Path], cwd: Path, tmp: Path) -> None:
    """d. no stray *.tmp, no forged result folder anywhere, no sandbox folder left."""
    cat = "d. no forgery"
    for grades in grades_dirs:
        stray = [str(p) for p, _, names in os.walk(grades) for n in names if n.endswith(".tmp")]
        c.check(cat, not stray, f"stray temporary files: {stray[:5]}")
    forged = [os.path.join(d, n) for d, dirs, _ in os.walk(root) for n in dirs
              if n == "grades" and Path(d, n) not in grades_dirs]
    c.check(cat, not forged, f"result folders the grader did not write: {forged[:5]}")
    c.check(cat, not any(cwd.iterdir()), f"the grader's working folder is not empty: {list(cwd.iterdir())[:5]}")
    left = [p.name for p in tmp.iterdir() if p.name.startswith("grader-run-")]
    c.check(cat, not left, f"sandbox folders left behind: {left[:5]}")


def check_forged_students(c: Checker, klass: Klass, records: dict[str, dict]) -> None:
    """d. the forging submissions' own records are the grader's (checks present, score 0)."""
    for student, kind in klass.kinds.items():
        if kind in ("fake_files", "fake_json") and student in records:
            rec = records[student]
            c.check("d. no forgery", bool(rec["checks"]) and rec["score"] == 0 and "sha256" in rec,
                    f"{klass.ex_id}/{student} ({kind}): record looks forged: {json.dumps(rec)[:300]}")


# ------------------------------------------------------------------ reporting
def mib(kib: int) -> str:
    return f"{kib / MIB:.0f}"


def kind_summary(klass: Klass, records: dict[str, dict]) -> str:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for student, kind in klass.kinds.items():
        group = "hostile" if kind in HOSTILE_KINDS else kind
        score = records[student]["score"] if student in records else None
        by_kind[group][f"{score:g}" if score is not None else "missing"] += 1
    parts = []
    for group in (*dict.fromkeys(ORDINARY_CYCLE), "hostile"):
        if group in by_kind:
            scores = ", ".join(f"{s}" if len(by_kind[group]) == 1 else f"{s}×{k}"
                               for s, k in sorted(by_kind[group].items()))
            parts.append(f"{group} {sum(by_kind[group].values())} → {scores}")
    return "; ".join(parts)


def exercise_line(klass: Klass, run: Run, records: dict[str, dict]) -> str:
    n = len(klass.kinds)
    line = (f"{klass.ex_id}: {n} submissions in {run.wall:.1f} s ({n / run.wall:.2f}/s); "
            f"{kind_summary(klass, records)}")
    if run.peaks is not None:
        p = run.peaks
        line += (f"; peak RSS main {mib(p.main)} MiB, worker max {mib(p.worker_max)} MiB "
                 f"({len(p.workers)} workers), sum {mib(p.total)} MiB, student max {mib(p.student_max)} MiB "
                 f"({len(p.students)} student processes seen, {p.samples} samples)")
    return line


def hostile_lines(classes: list[Klass], records: dict[str, dict[str, dict]]) -> list[str]:
    lines = []
    for kind in HOSTILE_KINDS:
        seen = [(k.ex_id, records[k.ex_id].get(s)) for k in classes for s, kd in k.kinds.items() if kd == kind]
        if not seen:
            continue
        scores = " ".join(f"{ex} {r['score']:g}" for ex, r in seen if r)
        sample = next((r for _, r in seen if r), None)
        what = (sample["error"] or next((ch["message"] for ch in sample["checks"] if not ch["passed"]), "")) \
            if sample else "no record"
        lines.append(f"  hostile {kind}: {scores} — {what[:110]}")
    return lines


# ------------------------------------------------------------------ main
def grade_classes(c: Checker, classes: list[Klass], grades: Path, jobs: int, env: dict[str, str], cwd: Path,
                  measure: bool) -> tuple[list[Run], dict[str, dict[str, dict]]]:
    """The timed batch runs, one per exercise; checks a. on each."""
    runs, records = [], {}
    for klass in classes:
        run = run_grader(klass.ex_id, klass.folder, grades, jobs, env, cwd, measure)
        print(f"  graded {klass.ex_id}: {len(run.records)} records in {run.wall:.1f} s (exit {run.returncode})",
              flush=True)
        runs.append(run)
        records[klass.ex_id] = check_complete(c, klass, run, grades)
    return runs, records


def grade_alone(c: Checker, klass: Klass, folder: Path, grades: Path, env: dict[str, str],
                cwd: Path) -> dict[str, dict]:
    """One copy of each distinct file graded alone with --jobs 1; returns digest -> its record."""
    first = make_alone(klass, folder)
    run = run_grader(klass.ex_id, folder, grades, 1, env, cwd, False)
    print(f"  sequential {klass.ex_id}: {len(run.records)} distinct files in {run.wall:.1f} s "
          f"(--jobs 1, exit {run.returncode})", flush=True)
    c.check("c. deterministic", run.returncode == 0 and len(run.records) == len(first),
            f"{klass.ex_id}: sequential run exit {run.returncode}, {len(run.records)} records "
            f"for {len(first)} files: {run.stderr[-300:]}")
    by_student = {r.get("student"): r for r in run.records}
    return {digest: by_student[student] for digest, student in first.items() if student in by_student}


def prepare_root(keep: str | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    if keep is None:
        holder = tempfile.TemporaryDirectory(prefix="bench-load-")
        return Path(holder.name), holder
    root = Path(keep).resolve()
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"bench_load: --keep {root} exists and is not empty")
    root.mkdir(parents=True, exist_ok=True)
    return root, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("exercises", nargs="*", help="a subset of ex1–ex5 (default: all five)")
    parser.add_argument("--per-exercise", type=int, default=100)
    parser.add_argument("--hostile-fraction", type=float, default=0.1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files")
    args = parser.parse_args()
    ids = [e for e in EXERCISES if not args.exercises or e in args.exercises]
    root, holder = prepare_root(args.keep)
    measure = proc_available()
    checker = Checker()
    try:
        tmp, cwd = root / "tmp", root / "cwd"
        tmp.mkdir()
        cwd.mkdir()
        env = grader_env(tmp)
        grades, grades_alone = root / "grades", root / "grades_alone"
        print(f"grader {ROOT} (python {sys.version.split()[0]}), files in {root}")
        print(f"{args.per_exercise} submissions per exercise, {args.hostile_fraction:.0%} hostile, "
              f"--jobs {args.jobs}, {os.cpu_count()} CPUs"
              + ("" if measure else "; /proc not available: peak memory not measured"))
        classes = [make_class(ex_id, root / f"class_{ex_id}", args.per_exercise, args.hostile_fraction)
                   for ex_id in ids]
        runs, all_records = grade_classes(checker, classes, grades, args.jobs, env, cwd, measure)
        for klass in classes:
            alone = grade_alone(checker, klass, root / f"alone_{klass.ex_id}", grades_alone, env, cwd)
            records = all_records[klass.ex_id]
            check_expected(checker, klass, records)
            check_deterministic(checker, klass, records, alone)
            check_forged_students(checker, klass, records)
        check_no_forgery(checker, root, [grades, grades_alone], cwd, tmp)
        report(classes, runs, all_records, checker, args.jobs, measure)
    finally:
        if holder is not None:
            holder.cleanup()
    if checker.failures:
        print(f"\n{len(checker.failures)} of {checker.total} checks of correctness FAILED:")
        for failure in checker.failures:
            print(f"  {failure}")
        sys.exit(1)


def report(classes: list[Klass], runs: list[Run], records: dict[str, dict[str, dict]], checker: Checker,
           jobs: int, measure: bool) -> None:
    print()
    for klass, run in zip(classes, runs):
        print(exercise_line(klass, run, records[klass.ex_id]))
    for line in hostile_lines(classes, records):
        print(line)
    print("checks of correctness: " + ", ".join(f"{cat} {n}" for cat, n in sorted(checker.counts.items())))
    n = sum(len(k.kinds) for k in classes)
    wall = sum(r.wall for r in runs)
    total = f"{n} submissions in {wall:.1f} s ({n / wall:.2f}/s) with --jobs {jobs}; "
    if measure:
        main_peak = max(r.peaks.main for r in runs)
        worker_peak = max(r.peaks.worker_max for r in runs)
        sum_peak = max(r.peaks.total for r in runs)
        student_peak = max(r.peaks.student_max for r in runs)
        total += (f"grader peak RSS: main {mib(main_peak)} MiB, worker max {mib(worker_peak)} MiB, "
                  f"sum {mib(sum_peak)} MiB; student process peak max {mib(student_peak)} MiB; ")
    else:
        total += "peak memory not measured (/proc not available); "
    verdict = "all" if not checker.failures else f"{len(checker.failures)} FAILED of"
    total += f"{verdict} {checker.total} checks of correctness" + (" passed" if not checker.failures else "")
    print(total)


if __name__ == "__main__":
    main()
