"""The Python API of nn-grader: one function per ``grader`` command.

Each function takes plain Python values (exercise ids or slugs, paths, jobs, a language, flags) and
returns one dataclass saying what it did; the command line (:mod:`autograder.cli`,
:mod:`autograder.cli_course`, :mod:`autograder.cli_reports`) parses options, calls one function and
renders what it returns (tables, JSON, exit codes). Its defaults are the constants below.

=================  ==========================================  =========================
command            function                                    returns
=================  ==========================================  =========================
``list``           :func:`list_exercises`                      tuple of registry.Exercise
``check``          :func:`check`                               :class:`CheckOutcome`
``grade``          :func:`grade` (files, or a course:          :class:`GradeOutcome`
                   :func:`grade_course`)
``selfcheck``      :func:`selfcheck`                           results.ExerciseResult
``limits``         :func:`limits`                              :class:`LimitsOutcome`
``generate``       :func:`generate`, ``fixtures``:             :class:`Written`
                   :func:`fixtures`
``init``           :func:`init`                                :class:`InitOutcome`
``validate``       :func:`validate`                            :class:`ValidationOutcome`
``release``        :func:`release`                             :class:`ReleaseOutcome`
``collect``        :func:`collect`                             :class:`CollectOutcome`
``demo``           :func:`demo`                                :class:`DemoOutcome`
``feedback``       :func:`feedback`                            :class:`FeedbackOutcome`
``report``         :func:`report`                              :class:`ReportOutcome`
``export``         :func:`export`                              :class:`ExportOutcome`
=================  ==========================================  =========================

Errors. A user's mistake (an unknown exercise, a missing file, a folder that is not a course,
nothing to grade) raises :class:`UsageProblem`; what cannot be done for another reason (the course
is busy, a grade record cannot be read, the reference is not installed) raises :class:`Refused`, of
which UsageProblem is a kind. Either names a text of :mod:`autograder.messages` and its fields, so it
is rendered in the language asked for where it is shown (``exc.text(lang)``); the command line makes
a UsageProblem a usage error (exit code 2) and any other Refused a one-line error (exit code 1). The
preflight checks' :class:`autograder.preflight.Problem` (nbgrader missing, a broken gradebook, a
place that cannot be written: exit code 2) passes through as it is.

Callbacks, where a function takes them: ``say(key, **fields)`` hears a text of
:mod:`autograder.messages` as it happens, before the work it concerns (a note, a warning: key
``"warning"`` with ``text``); ``progress(label, total)`` is entered around a batch's grading and
yields the callback called after each submission (:func:`autograder.render.progress_bar` fits).

Imports: this module imports the registry, the messages and the results, nothing else; each
function imports what it needs when it runs, so ``check`` of a NumPy exercise imports neither
TensorFlow, nbgrader, the course package nor rich.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import registry
from .messages import t
from .results import ExerciseResult, GradedSubmission

# Annotations below also name types of the modules a function imports when it runs (batch.Submission,
# course.collected.CollectReport, course.demo.DemoResult, validation.Validation, export.Exports): never
# imported here, not even for type checkers, since this module ships in the student install, whose build
# refuses a module-level import of a module it does not ship (tools/student_dist.py).

#: ``grader grade``'s submissions graded in parallel; ``grader demo``'s; the most either takes
DEFAULT_JOBS = 1
DEMO_JOBS = 2
MAX_JOBS = 256
#: where ``grade`` writes (GRADES/<ex>/<student>.json) and ``feedback``/``report``/``export`` read
GRADES = Path("grades")
FEEDBACK = Path("feedback_html")  # FEEDBACK/<ex>/<student>.html
REPORTS = Path("reports")         # REPORTS/<ex>.html
EXPORTS = Path("exports")
DEMO_COURSE = Path("demo-course")
#: ``grader init``'s course id and nbgrader's per-cell execution timeout (s)
COURSE_ID = "nn-course"
CELL_TIMEOUT_S = 300
SELFCHECK_SEED = 0
LIMITS_EXERCISE = "ex1"
#: ``collect``'s course and ``release``'s: the current folder
HERE = Path(".")

Say = Callable[..., None]
Progress = Callable[[str, int], Any]


# ------------------------------------------------------------------ errors

class Refused(Exception):
    """The command cannot do what was asked (exit code 1): ``key`` names a text of
    :mod:`autograder.messages`, ``fields`` fill it; :meth:`text` renders it in a language,
    ``str()`` in English."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.fields)


class UsageProblem(Refused):
    """A user's mistake (exit code 2): an unknown exercise, a missing file, a folder that is not a
    course, nothing to grade. ``key`` and ``fields`` as :class:`Refused`."""


def _silent(key: str, **fields) -> None:
    pass


def _progress(progress: Progress | None, label: str, total: int):
    return progress(label, total) if progress else nullcontext(None)


def find_exercise(key: str, *, checked: bool = True) -> registry.Exercise:
    """The exercise whose id or slug is ``key``. UsageProblem "unknown_exercise" (with the closest
    name when there is one) when none is; with ``checked``, "exercise_no_checks" when this version
    of the grader has no checks for it (the registry may list an exercise before its checks exist)."""
    import importlib.util

    try:
        ex = registry.get(key)
    except KeyError:
        import difflib

        names = [name for e in registry.EXERCISES for name in (e.id, e.slug)]
        close = difflib.get_close_matches(key.strip().lower().replace("_", "-"), names, n=1)
        known = ", ".join(f"{e.id} ({e.slug})" for e in registry.EXERCISES)
        if close:
            raise UsageProblem("unknown_exercise_close", name=repr(key), close=repr(close[0]), known=known) from None
        raise UsageProblem("unknown_exercise", name=repr(key), known=known) from None
    if checked and importlib.util.find_spec(f"autograder.exercises.{ex.id}") is None:
        raise UsageProblem("exercise_no_checks", ex=ex.id, slug=ex.slug)
    return ex


def _ids(exercises: Iterable[str]) -> list[str]:
    return [find_exercise(e, checked=False).id for e in exercises]


def _is_course(path) -> bool:
    """A course folder has nbgrader's config (read here without importing the course package)."""
    return (Path(path) / "nbgrader_config.py").is_file()


# ------------------------------------------------------------------ list, check, limits, selfcheck

def list_exercises() -> tuple[registry.Exercise, ...]:
    """Every exercise of the course, in order."""
    return registry.EXERCISES


@dataclass(frozen=True)
class CheckOutcome:
    """What ``check`` did: the public checks of ``exercise`` on ``graded_file``.

    path: the file given, or None when ``graded_file`` was picked in the folder; other_files: the
    exercise's other files in that folder whose code differs (not checked; ``check`` said so).
    """

    exercise: str
    path: Path | None
    graded_file: Path
    result: ExerciseResult
    other_files: tuple[Path, ...] = ()

    @property
    def status(self) -> str:
        """"unloadable" (the file could not be loaded), "full" (full marks) or "failed" (a check failed)."""
        return "unloadable" if self.result.error else "full" if self.result.full_marks else "failed"


def check(exercise: str, path=None, *, lang: str = "en", cwd=None, say: Say | None = None) -> CheckOutcome:
    """Run the public checks of ``exercise`` on ``path``, or on the exercise's file in ``cwd``
    (default: the current folder): of its notebook and .py, the one modified last; when both are
    there and their code differs, ``say("check_two_files", …)`` names the one not checked.

    UsageProblem: "check_no_file" (``path`` is not a file), "check_no_submission" (nothing in the
    folder), "data_unavailable" (this install cannot load the exercise's data set), and
    :func:`find_exercise`'s. ``lang``: the language of the result's one-language shortcuts.
    """
    ex = find_exercise(exercise)
    if ex.needs == "numpy":  # the student process's template imports NumPy while this process does
        from .sandbox.zygote import prestart

        prestart()
    else:  # not the NumPy template's: if `grader check` started it in case (autograder/entry.py), close it
        from .sandbox.zygote import discard_speculative

        discard_speculative()
    given = None if path is None else Path(path)
    others: tuple[Path, ...] = ()
    if given is not None:
        if not given.is_file():
            raise UsageProblem("check_no_file", path=str(given))
        chosen = given
    else:
        from .submissions import same_code, submission_candidates

        where = Path.cwd() if cwd is None else Path(cwd)
        candidates = submission_candidates(where, ex.id)
        if not candidates:
            raise UsageProblem("check_no_submission", ex=ex.id, folder=str(where))
        chosen = candidates[0]
        others = tuple(p for p in candidates[1:] if same_code(chosen, p, ex.names) is not True)
        if others:
            (say or _silent)("check_two_files", graded=chosen.name, other=", ".join(p.name for p in others),
                             ex=ex.id)
    from .data import DataUnavailable
    from .grading import grade_file

    try:
        result = grade_file(ex.id, chosen, hidden=False, lang=lang)
    except DataUnavailable as exc:  # the install lacks a data set: not the student's fault
        raise UsageProblem("data_unavailable", detail=str(exc)) from None
    return CheckOutcome(ex.id, given, chosen, result, others)


@dataclass(frozen=True)
class LimitsOutcome:
    """The sandbox limits of ``exercise`` and what confines student code on this machine (measured)."""

    exercise: str
    limits: dict
    confinement: dict

    def to_dict(self) -> dict:
        return {"exercise": self.exercise, "limits": self.limits, "confinement": self.confinement}


def limits(exercise: str = LIMITS_EXERCISE) -> LimitsOutcome:
    """The exercise's limits, and the confinement an empty submission reports when started."""
    from dataclasses import asdict

    from .grading import limits_for
    from .sandbox import confinement

    ex = find_exercise(exercise)
    found = limits_for(ex)
    return LimitsOutcome(ex.id, asdict(found), confinement(found))


def selfcheck(seed: int = SELFCHECK_SEED) -> ExerciseResult:
    """The trusted reference's gradients against its own numerical gradients (instructor).
    Refused "selfcheck_no_reference" where the reference is not installed."""
    try:
        from .selfcheck import run_selfcheck

        return run_selfcheck(seed)
    except ImportError as exc:
        raise Refused("selfcheck_no_reference", detail=str(exc)) from None


@dataclass(frozen=True)
class Written:
    """The files a command wrote, in order."""

    paths: list[Path]


def generate(exercises: Iterable[str] = ()) -> Written:
    """Write solutions/*.ipynb and the student versions in exercises/ from solutions/*.py (all
    authored exercises when ``exercises`` is empty)."""
    from . import authoring

    ids = [find_exercise(e).id for e in exercises] or None
    return Written(list(authoring.generate(ids)))


def fixtures(exercises: Iterable[str] = ()) -> Written:
    """Regenerate the public fixtures of ``exercises`` (default: all) from the reference."""
    from .cases import write_fixtures
    from .grading import exercise_module

    ids = [find_exercise(e).id for e in exercises] or [e.id for e in registry.EXERCISES]
    written = []
    for ex_id in ids:
        try:
            specs = list(exercise_module(ex_id).SPECS)
        except ModuleNotFoundError:
            continue
        if specs:
            written.append(write_fixtures(ex_id, specs))
    return Written(written)


# ------------------------------------------------------------------ grade

@dataclass
class GradeOutcome:
    """What ``grade`` did.

    exercise: its id; folder: where the results are (<student>.json and gradebook.csv: OUT/<ex>, or
    COURSE/grades/<ex>); expected: the submissions found; records: one
    :class:`~autograder.results.GradedSubmission` per submission (``to_dict()``: the SPEC's JSON, with
    "student", "path" and "sha256", as its file holds it), in the order found (files) or by student
    (a course). In a course, ``course`` and ``gradebook`` are its root and nbgrader gradebook, and
    ``graded``, ``skipped`` and ``unrecorded`` list students graded now, graded before (kept), and
    graded but not recorded (see their ``record_error``). ``resumed``: results kept from an unfinished run into the
    same folder; ``warnings``: the paths given that held no submission. ``stopped``: Ctrl-C ended the
    run; ``saved`` results of the ``expected`` are then on disk (records is empty).
    """

    exercise: str
    folder: Path
    expected: int
    records: list[GradedSubmission] = field(default_factory=list)
    course: Path | None = None
    gradebook: Path | None = None
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    resumed: int = 0
    warnings: list[str] = field(default_factory=list)
    stopped: bool = False
    saved: int = 0

    @property
    def complete(self) -> bool:
        """Every submission has a recorded result (whatever the scores): ``grader grade`` exits 0."""
        return (not self.stopped and len(self.records) == self.expected
                and not any(r.record_error for r in self.records))


def _hidden_key(course_dir, key_file) -> str:
    """The hidden checks' key (:func:`autograder.secret.resolve`); without one nothing is graded."""
    from .secret import MissingHiddenKey, resolve

    try:
        return resolve(course_dir, key_file)
    except MissingHiddenKey as exc:  # its key and fields are texts of autograder.messages
        raise UsageProblem(exc.key, **exc.fields) from None


@contextmanager
def _interruptible():
    """Ctrl-C stops a batch at once, whatever swallows it on the way. Python drops an exception raised
    inside a finalizer or a weakref callback ("Exception ignored in …"), and SQLAlchemy (the gradebook)
    runs many: a KeyboardInterrupt dropped so is raised again (SIGINT sent once more, landing elsewhere).
    And the SIGINT is remembered (``batch.STOP``), so a KeyboardInterrupt swallowed in any other way still
    stops the batch once the submission it is saving is saved. Handlers are restored on the way out."""
    import os
    import signal
    import sys
    import threading

    from .batch import STOP

    old = sys.unraisablehook

    def hook(unraisable):
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
        else:
            old(unraisable)

    def on_sigint(signum, frame):  # remembered too: the batch stops at its next result even if this is lost
        STOP.set()
        signal.default_int_handler(signum, frame)

    STOP.clear()
    sys.unraisablehook = hook
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if main_thread else None
    try:
        yield
    finally:
        sys.unraisablehook = old
        if main_thread:
            signal.signal(signal.SIGINT, previous)
        STOP.clear()


def _stopped(outcome: GradeOutcome, submissions: list[Submission]) -> GradeOutcome:
    """After Ctrl-C: stop the workers and student processes still running (a second Ctrl-C meanwhile
    is ignored) and count the results saved for the files as they are now."""
    import signal
    import threading

    from .batch import saved_result, stop_all

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        stop_all()
        outcome.saved = sum(saved_result(outcome.folder, sub) is not None for sub in submissions)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    outcome.stopped, outcome.records = True, []
    return outcome


def grade(exercise: str, paths: Iterable = (), *, jobs: int = DEFAULT_JOBS, out=None, course_dir=None,
          force: bool = False, key_file=None, lang: str = "en", progress: Progress | None = None,
          say: Say | None = None, cwd=None, scheduler: str | None = None) -> GradeOutcome:
    """Grade submissions of ``exercise`` with public and hidden checks (instructor).

    Each of ``paths`` is a submission file (student id: its folder's name), a folder with one
    student's submission (id: the folder's name) or a folder of such folders; results go to
    ``out``/<ex>/ (default :data:`GRADES`), and a run into the same folder that did not finish is
    resumed (its results kept) unless ``force``. With ``course_dir``, or with no ``paths`` in a
    course's folder (``cwd``, default the current folder): :func:`grade_course` (``out`` is not used
    then: a course's results go to COURSE/grades).

    ``say`` hears "warning" (a path with no submission) and "grade_resumed" before the grading.
    UsageProblem: "grade_no_paths", "grade_no_submissions", the hidden key's ("no_hidden_key", …)
    and :func:`find_exercise`'s. Ctrl-C: returns with ``stopped`` (see :class:`GradeOutcome`).
    ``scheduler``: grade on the Dask cluster at that address (:mod:`autograder.cluster`; checked
    before anything is written: ``cluster.ClusterProblem``).
    """
    ex = find_exercise(exercise)
    paths = list(paths)
    here = Path.cwd() if cwd is None else Path(cwd)
    if course_dir is None and not paths and _is_course(here):
        course_dir = here
    if course_dir is not None:
        return grade_course(ex.id, course_dir, jobs=jobs, force=force, key_file=key_file, lang=lang,
                            progress=progress, scheduler=scheduler)
    key = _hidden_key(None, key_file)  # no key, no grading: the hidden inputs must not come from anything public
    if not paths:
        raise UsageProblem("grade_no_paths")
    from .batch import grade_batch, unfinished_results
    from .submissions import discover
    from .preflight import check_writable

    tell = say or _silent
    submissions, warnings = discover(paths, ex.id)
    for warning in warnings:
        tell("warning", text=warning)
    if not submissions:
        raise UsageProblem("grade_no_submissions", ex=ex.id, paths=", ".join(map(str, paths)))
    if scheduler:
        from .cluster import require

        require(scheduler, lang)
    out = GRADES if out is None else Path(out)
    outcome = GradeOutcome(ex.id, out / ex.id, len(submissions), warnings=list(warnings))
    check_writable([outcome.folder], lang=lang)
    previous = {} if force else unfinished_results(out, ex.id, submissions)
    outcome.resumed = len(previous)
    if previous:
        tell("grade_resumed", n=len(previous), total=len(submissions), folder=outcome.folder)
    try:
        with _interruptible(), _progress(progress, ex.id, len(submissions) - len(previous)) as advance:
            outcome.records = grade_batch(ex.id, submissions, out, jobs=jobs, lang=lang, progress=advance,
                                          hidden_key=key, previous=previous, scheduler=scheduler)
    except KeyboardInterrupt:
        return _stopped(outcome, submissions)
    return outcome


def grade_course(exercise: str, course_dir=HERE, *, jobs: int = DEFAULT_JOBS, force: bool = False, key_file=None,
                 lang: str = "en", progress: Progress | None = None, scheduler: str | None = None) -> GradeOutcome:
    """Grade the course's collected submissions of ``exercise`` (submitted/<student>/<ex>/) into
    COURSE/grades/<ex>/ and nbgrader's gradebook, skipping what is graded already unless ``force``.

    Checked before anything is written: the course, its submissions, its gradebook, that its folders
    can be written, nbgrader. UsageProblem: "grade_no_course_config", "grade_no_course_submissions",
    the hidden key's; Refused "course_busy" (another run holds the course). Ctrl-C: ``stopped``.
    """
    ex = find_exercise(exercise)
    if not _is_course(course_dir):
        raise UsageProblem("grade_no_course_config", path=str(course_dir))
    key = _hidden_key(course_dir, key_file)
    from .course import CourseDir
    from .course.grade import CourseBusy, course_submissions
    from .course.grade import grade_course as grade_all
    from .preflight import Problem, check_gradebook, check_writable, require_nbgrader

    course = CourseDir(course_dir)
    subs = course_submissions(course, ex.id)
    if not subs:
        raise UsageProblem("grade_no_course_submissions", ex=ex.id, folder=str(course.submitted()))
    if scheduler:
        from .cluster import require

        require(scheduler, lang)
    check_gradebook(course.gradebook, lang)  # each check before anything is written
    check_writable([course.root, course.grades(ex.id), course.root / "autograded"], [course.gradebook], lang)
    require_nbgrader("grade", lang)
    outcome = GradeOutcome(ex.id, course.grades(ex.id), len(subs), course=course.root, gradebook=course.gradebook)
    try:
        with _interruptible(), _progress(progress, ex.id, len(subs)) as advance:
            run = grade_all(course, ex.id, jobs=jobs, force=force, lang=lang, progress=advance, hidden_key=key,
                            scheduler=scheduler)
    except CourseBusy:
        raise Refused("course_busy", path=str(course.root)) from None
    except Problem as exc:  # met while grading (e.g. the gradebook broke meanwhile): in the run's language
        exc.lang = lang
        raise
    except KeyboardInterrupt:
        return _stopped(outcome, subs)
    outcome.records, outcome.graded, outcome.skipped, outcome.unrecorded = \
        run.records, run.graded, run.skipped, run.unrecorded
    return outcome


# ------------------------------------------------------------------ the course: init, validate, release, collect, demo

@dataclass(frozen=True)
class InitOutcome:
    """The course laid out: its root, id and exercises (those with a source notebook)."""

    course: Path
    course_id: str
    exercises: list[str]


def init(course_dir, exercises: Iterable[str] = (), *, course_id: str = COURSE_ID,
         timeout: int = CELL_TIMEOUT_S) -> InitOutcome:
    """Lay out an nbgrader course in ``course_dir`` from solutions/ (config, keys, source/, gradebook);
    safe to run again. Every check comes before anything is written, so nothing is left half-made.
    UsageProblem "init_no_source": an exercise's notebook is not in solutions/."""
    from . import authoring
    from .course import notebook_name
    from .course.setup import course_exercises, init_course, init_paths
    from .preflight import check_gradebook, check_writable, require_nbgrader

    ids = _ids(exercises) or None
    check_gradebook(Path(course_dir) / "gradebook.db")  # the cheap checks first
    folders, files = init_paths(course_dir, ids)
    check_writable(folders, files)
    require_nbgrader("init")
    for ex in ids or authoring.authored_exercises():
        source = authoring.SOLUTIONS / notebook_name(ex)
        if not source.is_file():
            raise UsageProblem("init_no_source", path=str(source), ex=ex)
    course = init_course(course_dir, ids, course_id, timeout)
    return InitOutcome(course.root, course_id, course_exercises(course))


@dataclass(frozen=True)
class ValidationOutcome:
    """One :class:`autograder.validation.Validation` per exercise; ``ok`` when all pass."""

    results: list[Validation]

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.results)


def validate(exercises: Iterable[str] = ()) -> ValidationOutcome:
    """Check that each solution gets full marks, each student version zero, and every known mistake
    loses the points of its check (default: every authored exercise)."""
    from . import authoring
    from .validation import validate_exercise

    return ValidationOutcome([validate_exercise(e) for e in (_ids(exercises) or authoring.authored_exercises())])


@dataclass(frozen=True)
class ReleaseOutcome:
    """The course released from, and each exercise's validation: only those ``ok`` were released."""

    course: Path
    results: list[Validation]
    to_exchange: bool = True

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.results)


def release(exercises: Iterable[str] = (), course_dir=HERE, *, to_exchange: bool = True) -> ReleaseOutcome:
    """Validate, generate the student version (nbgrader generate_assignment) and release it to the
    exchange (unless not ``to_exchange``); default: every exercise of the course. An exercise that
    fails validation is not released. UsageProblem "release_not_a_course"."""
    from .course import CourseDir
    from .course.release import release as release_one
    from .course.setup import course_exercises, is_course
    from .preflight import check_gradebook, check_writable, require_nbgrader

    if not is_course(course_dir):
        raise UsageProblem("release_not_a_course", path=str(course_dir))
    course = CourseDir(course_dir)
    ids = _ids(exercises) or course_exercises(course)
    check_gradebook(course.gradebook)  # before the validation's minutes, and before anything is written
    check_writable([course.root, course.root / "release", *(course.release(e) for e in ids)]
                   + ([course.exchange] if to_exchange else []), [course.gradebook])
    require_nbgrader("release")
    return ReleaseOutcome(course.root, [release_one(course, e, to_exchange=to_exchange) for e in ids], to_exchange)


@dataclass(frozen=True)
class GradescopeOutcome:
    """The Gradescope autograder zip written for an exercise."""

    exercise: str
    zip_path: Path


def gradescope(exercise: str, out_dir, *, course_dir=None, key_file=None, lang: str = "en") -> GradescopeOutcome:
    """Build Gradescope's autograder.zip for ``exercise`` into ``out_dir`` (:mod:`autograder.gradescope`), holding
    the hidden checks' key (the course's, ``key_file``'s or ``$GRADER_HIDDEN_KEY``). UsageProblem without a key;
    Refused "gradescope_build_failed" when the wheel cannot be built."""
    from . import gradescope as gs

    ex = find_exercise(exercise)
    key = _hidden_key(course_dir, key_file)
    try:
        return GradescopeOutcome(ex.id, gs.build(ex.id, out_dir, key, lang=lang))
    except gs.BuildError as exc:
        raise Refused("gradescope_build_failed", detail=str(exc)[-2000:]) from None


@dataclass(frozen=True)
class CollectOutcome:
    """What was collected into ``course`` (its root): :class:`autograder.course.collected.CollectReport`."""

    report: CollectReport
    course: Path

    @property
    def ok(self) -> bool:
        """At least one submission was collected."""
        return self.report.ok


def collect(exercise: str, *, from_folder=None, from_zip=None, from_exchange: bool = False, course_dir=HERE,
            force: bool = False) -> CollectOutcome:
    """Collect ``exercise``'s submissions into COURSE/submitted/<student>/<ex>/ from exactly one source:
    ``from_folder``, a folder of submissions (an LMS download unpacked, or <student>/ folders),
    ``from_zip``, an LMS zip (read in place), or nbgrader's exchange (``from_exchange``). ``force``
    replaces collected submissions even when they are newer.
    UsageProblem: "collect_one_source" (none or several sources), "not_a_course"."""
    ex = find_exercise(exercise, checked=False)
    chosen = [name for name, given in (("--from-folder", from_folder), ("--from-zip", from_zip),
                                       ("--from-exchange", from_exchange)) if given]
    if len(chosen) != 1:
        raise UsageProblem("collect_one_source_got" if chosen else "collect_one_source", given=", ".join(chosen))
    from .course import CourseDir
    from .course.setup import is_course

    if not is_course(course_dir):  # as `release` does: never a stray ./submitted
        raise UsageProblem("not_a_course", path=str(course_dir))
    from .preflight import check_gradebook, check_writable, require_nbgrader

    course = CourseDir(course_dir)
    check_gradebook(course.gradebook)  # each check before anything is written
    check_writable([course.root, course.submitted()], [course.gradebook] if course.gradebook.exists() else [])
    if from_exchange:
        require_nbgrader("collect --from-exchange")
    from .course.collect import collect_from_exchange, collect_from_folder, collect_from_zip

    if from_folder is not None:
        report = collect_from_folder(course_dir, ex.id, from_folder, force=force)
    elif from_zip is not None:
        report = collect_from_zip(course_dir, ex.id, from_zip, force=force)
    else:
        report = collect_from_exchange(course_dir, ex.id, force=force)
    return CollectOutcome(report, course.root)


@dataclass(frozen=True)
class DemoOutcome:
    """The demo course graded end to end (:class:`autograder.course.demo.DemoResult`), and how long it took."""

    result: DemoResult
    seconds: float

    @property
    def course(self):
        return self.result.course


def demo(course_dir=DEMO_COURSE, *, jobs: int = DEMO_JOBS, lang: str | None = None, say: Say | None = None,
         progress: Progress | None = None) -> DemoOutcome:
    """Build a demo course in ``course_dir`` and grade a generated class end to end (release, grade into
    the gradebook, feedback, reports, LMS export). ``say`` hears each stage as it ends ("demo_…" texts).
    UsageProblem "demo_refused": ``course_dir`` exists and is not a demo course made before."""
    import time

    from .course.demo import DemoRefused, run_demo
    from .preflight import check_writable, require_nbgrader

    check_writable([course_dir], lang=lang)  # before anything is written
    require_nbgrader("demo", lang)
    start = time.perf_counter()
    try:
        result = run_demo(course_dir, jobs=jobs, say=say, progress=progress)
    except DemoRefused as exc:  # refused before anything was written
        raise UsageProblem("demo_refused", path=str(exc.path)) from None
    return DemoOutcome(result, time.perf_counter() - start)


# ------------------------------------------------------------------ pages and exports from a grades folder

def _records(grades, ex_id: str) -> list[GradedSubmission]:
    """The exercise's records; UsageProblem "no_results" when there are none, Refused "bad_record"
    for a file that is not one."""
    from .export import read_records

    try:
        records = read_records(grades, ex_id)
    except ValueError as exc:
        raise Refused("bad_record", detail=str(exc)) from None
    if not records:
        raise UsageProblem("no_results", ex=ex_id, folder=str(Path(grades) / ex_id), grades=str(grades))
    return records


@dataclass(frozen=True)
class FeedbackOutcome:
    """The feedback pages written (``folder``/<student>.html), sorted."""

    exercise: str
    folder: Path
    pages: list[Path]


def feedback(exercise: str, grades=GRADES, out=FEEDBACK, *, lang: str = "en") -> FeedbackOutcome:
    """Write one feedback page per student of ``exercise`` (hidden checks redacted) under
    ``out``/<ex>/, from ``grades``/<ex>/<student>.json: all of them or none."""
    from .feedback import write_feedback
    from .preflight import check_writable

    ex_id = find_exercise(exercise, checked=False).id
    folder = Path(out) / ex_id
    _records(grades, ex_id)
    check_writable([folder], lang=lang)  # before the first page: none written, or all
    try:
        pages = write_feedback(grades, ex_id, folder, lang)
    except ValueError as exc:
        raise Refused("bad_record", detail=str(exc)) from None
    return FeedbackOutcome(ex_id, folder, pages)


@dataclass(frozen=True)
class ReportOutcome:
    """The class report written, and how many submissions it covers."""

    exercise: str
    path: Path
    submissions: int


def report(exercise: str, grades=GRADES, out=None, *, lang: str = "en") -> ReportOutcome:
    """Write the class report of ``exercise`` (scores, pass rates, frequent mistakes) to ``out``
    (default REPORTS/<ex>.html)."""
    from .preflight import check_writable
    from .report import write_report

    ex_id = find_exercise(exercise, checked=False).id
    records = _records(grades, ex_id)
    path = REPORTS / f"{ex_id}.html" if out is None else Path(out)
    check_writable(files=[path], lang=lang)
    return ReportOutcome(ex_id, write_report(grades, ex_id, path, lang), len(records))


@dataclass(frozen=True)
class ExportOutcome:
    """What was exported (:class:`autograder.export.Exports`: paths and warnings) from the grades of
    ``exercises`` into ``out``."""

    exports: Exports
    exercises: list[str]
    out: Path


def export(grades=GRADES, out=EXPORTS, *, course_dir=None, canvas_assignments: Iterable[str] | Mapping = (),
           lang: str = "en") -> ExportOutcome:
    """Export every exercise's grades under ``out``: grades.csv, Moodle grading worksheets and Canvas'
    import where the course's roster knows the LMS, Gradescope results.json files. ``course_dir``: the
    course whose roster and gradebook name the students (default: the folder holding ``grades`` when it
    is one). ``canvas_assignments``: "EX=ID" strings, or a mapping exercise -> Canvas assignment id.
    UsageProblem: "bad_canvas_assignment", "no_results_any"."""
    from .export import course_of, exercise_folders, export_all
    from .preflight import check_gradebook, check_writable

    items = ([f"{k}={v}" for k, v in canvas_assignments.items()] if isinstance(canvas_assignments, Mapping)
             else [str(i) for i in canvas_assignments])
    canvas_ids = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise UsageProblem("bad_canvas_assignment", value=repr(item))
        canvas_ids[find_exercise(key.strip(), checked=False).id] = value.strip()
    found = exercise_folders(grades)
    if not found:
        raise UsageProblem("no_results_any", grades=str(grades))
    out = Path(out)
    course = course_of(grades, course_dir)
    if course is not None:  # its gradebook names the students: a broken one is said, not passed over
        check_gradebook(course / "gradebook.db", lang)
    check_writable([out], lang=lang)  # before the first file: none written, or all
    try:
        exports = export_all(grades, out, lang, course_dir, canvas_ids)
    except ValueError as exc:
        raise Refused("bad_record", detail=str(exc)) from None
    return ExportOutcome(exports, found, out)
