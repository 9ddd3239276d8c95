"""Grade one submission of one exercise: load → sandbox → checks → ExerciseResult.

The score is computed here, in the grader's process; the student's process
only ever receives inputs and returns outputs.
"""
from __future__ import annotations

import errno
import importlib
import re
from functools import lru_cache

from . import registry
from .cases import CaseSource
from .checks import Check, Context, Fail
from .impl import KERNEL_CELL
from .loader import LoadError, defined_names, load_source
from .messages import BOTH, Msg, as_msg, default_lang, t
from .results import CheckResult, ExerciseResult
from .sandbox import (
    BadReply, Crashed, Limits, LoadFailed, Sandbox, SandboxError, StudentRaised, TimedOut, wire,
)

#: the longest message a check or a submission's error keeps (characters)
MAX_MESSAGE = 4000


@lru_cache(maxsize=None)
def exercise_module(exercise_id: str):
    """``autograder.exercises.<id>``: defines CHECKS, SPECS and MISTAKES."""
    return importlib.import_module(f"autograder.exercises.{exercise_id}")


def checks_for(exercise_id: str, hidden: bool) -> list[Check]:
    """Public checks, plus hidden ones when ``hidden``."""
    return [c for c in exercise_module(exercise_id).CHECKS if hidden or not c.hidden]


def _location(where: list, lang: str = "en") -> str:
    """Where the student's code raised, in their terms: a notebook cell and line, a kernel cell by the
    function it defines, or a file and line."""
    if not where:
        return ""
    filename, line, function = str(where[-1][0]), where[-1][1], str(where[-1][2])
    cell = re.fullmatch(r"<cell (\d+)>", filename)
    if cell:
        return t("loc_cell", lang, cell=cell.group(1), line=line)
    if filename == KERNEL_CELL:
        return t("loc_kernel_cell", lang, function=function, line=line)
    return t("loc_file", lang, file=filename.strip("<>"), line=line)


def _output_cap(exc) -> bool:
    """The student's code hit the output cap (RLIMIT_FSIZE: EFBIG on its write)."""
    return getattr(exc, "errno", None) == errno.EFBIG


def outcome_of(exc: SandboxError) -> str:
    """The :data:`~autograder.results.OUTCOMES` entry for something the student's code did."""
    if isinstance(exc, StudentRaised):
        if _output_cap(exc):
            return "output_cap"
        return "not_implemented" if exc.exc_type == "NotImplementedError" else "raised"
    if isinstance(exc, TimedOut):
        return "timed_out"
    if isinstance(exc, Crashed):
        return "crashed"
    return "bad_reply"


def describe_error(exc: SandboxError, lang: str, call: str):
    """A student-facing message for something their code did during a request."""
    outcome = outcome_of(exc)
    if outcome == "output_cap":
        return t("output_cap", lang, call=call)
    if outcome == "not_implemented":
        return t("not_implemented", lang, call=call, loc=_location(exc.where, lang))
    if outcome == "raised":
        return t("raised", lang, call=call, exc=exc.exc_type, loc=_location(exc.where, lang), detail=exc.detail)
    if outcome == "timed_out":
        return t("timeout", lang, call=call, seconds=exc.seconds)
    if outcome == "crashed":
        return t("crash", lang, call=call, reason=_crash_reason(exc, lang))
    reason = _reason(exc, lang) if isinstance(exc, BadReply) else str(exc)
    return t("bad_reply", lang, call=call, reason=reason)


def _reason(exc: BadReply, lang: str):
    """BadReply's reason in ``lang`` (a Msg in BOTH)."""
    return Msg(exc.text("en"), exc.text("es")) if lang == BOTH else exc.text(lang)


_crash_reason = _reason  # Crashed's reason: the same shape (text(lang))


def _cell_label(filename: str) -> str:
    """``<cell 7>`` → ``7`` (messages say "cell 7"); another file name without its brackets."""
    cell = re.fullmatch(r"<cell (\d+)>", filename)
    return cell.group(1) if cell else filename.strip("<>")


def _cell_order(filename: str) -> tuple:
    cell = re.fullmatch(r"<cell (\d+)>", filename)
    return (int(cell.group(1)), "") if cell else (0, filename)


def _import_hint(exc_type: str, lang: str, numpy_only: bool) -> str:
    return t("numpy_only", lang) if numpy_only and exc_type in ("ModuleNotFoundError", "ImportError") else ""


def broken_cells(skipped, raised, codes: dict, lang: str, numpy_only: bool = False,
                 graded: bool = True) -> tuple[list[str], dict[str, str]]:
    """What a notebook's broken cells did, for its result: a note per cell, in notebook order (``skipped``:
    loader.SkippedCell, a syntax error, the cell was left out; ``raised``: sandbox.BrokenCell, its top
    level raised, the rest of it did not run), and for each name such a cell would have defined (from
    its source, ``codes[filename]`` for a cell that ran) why it may be missing. ``graded``: the other
    cells were graded (else the notes say "too", after the error that stopped the load)."""
    items = []
    for cell in skipped:
        text = f" (`{cell.text}`)" if cell.text else ""
        at = t("at_line", lang, line=cell.line) if cell.line else ""
        note = t("cell_syntax_skipped" if graded else "cell_syntax_too", lang, cell=_cell_label(cell.filename),
                 at=at, detail=cell.detail, text=text)
        reason = t("broken_syntax", lang, cell=_cell_label(cell.filename), at=at)
        items.append((_cell_order(cell.filename), note, reason, cell.defines))
    for cell in raised:
        where = cell.where[-1] if cell.where else None
        loc = t("at_line", lang, line=where[1]) if where and where[0] == cell.filename else _location(cell.where, lang)
        note = t("cell_raised_skipped" if graded else "cell_raised_too", lang, cell=_cell_label(cell.filename),
                 exc=cell.exc_type, loc=loc, detail=cell.detail) + _import_hint(cell.exc_type, lang, numpy_only)
        reason = t("broken_raised", lang, cell=_cell_label(cell.filename), exc=cell.exc_type)
        items.append((_cell_order(cell.filename), note, reason, defined_names(codes.get(cell.filename, ""))))
    items.sort(key=lambda item: item[0])
    reasons: dict[str, str] = {}
    for _, _, reason, names in items:
        for name in names:
            reasons.setdefault(name, reason)
    return [clip(note) for _, note, _, _ in items], reasons


def _load_error_message(exc: Exception, lang: str, numpy_only: bool = False) -> str:
    if isinstance(exc, LoadError):
        return t(exc.key, lang, **exc.details)
    if isinstance(exc, LoadFailed) and _output_cap(exc):
        return t("load_output_cap", lang)  # EFBIG: RLIMIT_FSIZE on its printed output
    if isinstance(exc, LoadFailed):
        return t("load_raised", lang, exc=exc.exc_type, loc=_location(exc.where, lang), detail=exc.detail) + \
            _import_hint(exc.exc_type, lang, numpy_only)
    if isinstance(exc, TimedOut):
        if exc.cell and re.fullmatch(r"<cell \d+>", exc.cell):  # a notebook: the cell that was running
            return t("load_timeout_cell", lang, seconds=exc.seconds, cell=_cell_label(exc.cell))
        return t("load_timeout", lang, seconds=exc.seconds)
    if isinstance(exc, BadReply):
        return t("load_bad_reply", lang, reason=_reason(exc, lang))
    if isinstance(exc, Crashed):
        if exc.cell and re.fullmatch(r"<cell \d+>", exc.cell):
            return t("load_crash_cell", lang, reason=_crash_reason(exc, lang), cell=_cell_label(exc.cell))
        return t("load_crash", lang, reason=_crash_reason(exc, lang))
    raise exc


def _name_error_note(exc: Exception, broken: dict, lang: str):
    """The student's code raised NameError on a name a broken cell would have defined: say so.
    (The name is read from Python's own NameError text, "name 'x' is not defined".)"""
    if not (isinstance(exc, StudentRaised) and exc.exc_type == "NameError"):
        return ""
    match = re.search(r"name '(\w+)' is not defined", exc.detail)
    if match and match.group(1) in broken:
        return t("name_broken", lang, name=match.group(1), reason=broken[match.group(1)])
    return ""


def run_check(check: Check, impl, *, lang: str, case_source, mistakes: dict, hidden_key: str,
              extras: dict | None = None, broken: dict | None = None, exercise: str = "",
              state: dict | None = None) -> CheckResult:
    """Run one check against an implementation; never raises for anything the submission does.
    The message is built in every language; ``lang`` is the one the result renders in by default.
    ``broken``: name -> why a broken notebook cell did not define it (see :func:`broken_cells`)."""
    broken = broken or {}
    check_id = check.qualified_id(exercise)
    missing = [n for n in check.needs if n not in impl.names]
    if missing:
        name = missing[0]
        message = t("not_defined_broken", BOTH, name=name, reason=broken[name]) if name in broken \
            else t("not_defined", BOTH, name=name)
        return CheckResult(check_id, check.title, 0.0, check.points, False, check.hidden, message, "not_defined",
                           lang=lang)
    impl.warnings.clear()
    begin = getattr(impl, "begin_check", None)
    if begin is not None:  # a sandbox: this check's requests share one time budget
        begin()
    ctx = Context(impl, check, hidden_key=hidden_key, lang=BOTH, case_source=case_source, mistakes=mistakes,
                  extras=extras, state=state)
    # no exception outlives its except block: one kept in a local would tie this frame to its traceback in a
    # reference cycle, and with it whatever the failed request held (a rejected multi-megabyte reply) until
    # the next garbage collection
    try:
        note = check.run(ctx)
        passed, outcome, message = True, "passed", note or t("passed", BOTH)
    except Fail as fail:
        passed, outcome, message = False, "failed", fail.message
    except SandboxError as exc:
        passed, outcome = False, outcome_of(exc)
        message = as_msg(describe_error(exc, BOTH, impl.last_call or check.name)) + _name_error_note(exc, broken, BOTH)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError) as exc:
        # a returned value of an unexpected kind tripped the check itself
        passed, outcome, message = False, "check_error", f"{check.name}: {type(exc).__name__}: {exc}"
    message = as_msg(message)
    if impl.warnings:
        message += t("warnings_note", BOTH, detail="; ".join(dict.fromkeys(impl.warnings))[:300])
    # whatever a returned value put into it (an exception's text quoting a huge string), a message stays short
    message = clip(message)
    return CheckResult(check_id, check.title, check.points if passed else 0.0, check.points, passed, check.hidden,
                       message, outcome, message.mistakes, lang)


def clip(message) -> Msg:
    """A message (Msg or str) cut to :data:`MAX_MESSAGE` characters in each language."""
    return as_msg(message).map(lambda s: wire.clip(s, MAX_MESSAGE))


def grade_impl(exercise_id: str, impl, *, hidden: bool, lang: str, case_source=None,
               hidden_key: str | None = None, notes=(), broken: dict | None = None) -> ExerciseResult:
    """Run the exercise's checks against an implementation already loaded (sandbox or local);
    ``notes`` and ``broken``: the notebook's broken cells (:func:`broken_cells`)."""
    from .cases import hidden_key as default_hidden_key

    ex = registry.get(exercise_id)
    module = exercise_module(ex.id)
    # public checks draw with the public seed: only hidden grading needs (and refuses without) a key
    key = hidden_key or (getattr(case_source, "key", None) if hidden else None) or \
        (default_hidden_key() if hidden else "")
    case_source = case_source or CaseSource(key or None)
    checks = checks_for(ex.id, hidden)
    notes = tuple(as_msg(n) for n in notes)
    if not any(name in impl.names for name in ex.names):
        msg = clip(Msg.join(" ", [t("none_defined", BOTH, names=", ".join(ex.names)) + _looks_like(ex, impl.names),
                                  *notes]))
        return ExerciseResult(ex.id, tuple(CheckResult(c.qualified_id(ex.id), c.title, 0.0, c.points, False, c.hidden,
                                                       msg, "not_defined", lang=lang) for c in checks),
                              notes_text=notes, lang=lang)
    extras: dict = {}
    state: dict = {}  # shared by this submission's checks (Context.state)
    results = tuple(run_check(c, impl, lang=lang, case_source=case_source, mistakes=module.MISTAKES,
                              hidden_key=key, extras=extras, broken=broken, exercise=ex.id, state=state)
                    for c in checks)
    return ExerciseResult(ex.id, results, extras=extras, notes_text=notes, lang=lang)


def _looks_like(ex: registry.Exercise, defined, lang: str = BOTH):
    """A hint when what a submission defines is another exercise's (a file handed to the wrong id)."""
    scores = [(sum(n in defined for n in other.names) / len(other.names), other) for other in registry.EXERCISES
              if other.id != ex.id and other.names]
    share, other = max(scores, key=lambda s: s[0], default=(0.0, None))
    if other is None or share < 0.5:
        return ""
    return t("looks_like", lang, other=other.id, slug=other.slug)


def limits_for(ex: registry.Exercise) -> Limits:
    """Sandbox limits of an exercise: NumPy exercises see only NumPy and get 2 GiB; Keras and
    scikit-learn ones see the installed packages, get 8 GiB, a minute to load (TensorFlow's import)
    and their whole time limit for one call (training)."""
    if ex.needs == "numpy":
        return Limits(load_timeout_s=min(20.0, ex.time_limit_s), total_timeout_s=ex.time_limit_s,
                      call_timeout_s=min(60.0, ex.time_limit_s) if ex.time_limit_s > 30 else 10.0,
                      check_timeout_s=min(60.0, ex.time_limit_s) if ex.time_limit_s > 30 else 30.0)
    return Limits(load_timeout_s=60.0, call_timeout_s=ex.time_limit_s, check_timeout_s=ex.time_limit_s,
                  total_timeout_s=ex.time_limit_s, memory_bytes=8 * 1024**3, cpu_seconds=int(4 * ex.time_limit_s),
                  processes=1024, scratch_bytes=256 * 1024**2, packages=None)


def grade_file(exercise_id: str, path, *, hidden: bool = False, lang: str | None = None,
               limits: Limits | None = None, case_source=None, private=(),
               hidden_key: str | None = None) -> ExerciseResult:
    """Grade a submission file (.ipynb or .py) in a sandbox; ``private``: folders its code must not
    see besides the sandbox's defaults (the class's folders, the output folder).

    A notebook is graded cell by cell: a cell with a syntax error is left out, a cell whose top level
    raises stops there, and the others are graded; each is said in the result's ``notes`` and in the
    message of a check whose function it would have defined. Only a submission none of whose cells
    runs to its end (a .py is one cell), or whose load times out or crashes, is not graded (``error``)."""
    lang = lang or default_lang()
    ex = registry.get(exercise_id)
    limits = limits or limits_for(ex)
    if hidden and not hidden_key and not getattr(case_source, "key", None):
        from .cases import hidden_key as default_hidden_key

        hidden_key = default_hidden_key()  # before any work: no key, no hidden grading (MissingHiddenKey)
    numpy_only = ex.needs == "numpy"
    source = None
    try:
        source = load_source(path)
        with Sandbox(list(source.cells), limits, private=private) as sandbox:
            sandbox.start()
            notes, broken = broken_cells(source.skipped, sandbox.broken, dict(source.cells), BOTH, numpy_only)
            return grade_impl(ex.id, sandbox, hidden=hidden, lang=lang, case_source=case_source,
                              hidden_key=hidden_key, notes=notes, broken=broken)
    except (LoadError, LoadFailed, TimedOut, Crashed, BadReply) as exc:
        # the other broken cells, after the error that stopped the load
        skipped = exc.skipped if isinstance(exc, LoadError) else source.skipped if source else ()
        notes, _ = broken_cells(skipped, getattr(exc, "broken", ()), dict(source.cells) if source else {}, BOTH,
                                numpy_only, graded=False)
        return not_graded(ex.id, Msg.join(" ", [_load_error_message(exc, BOTH, numpy_only=numpy_only), *notes]),
                          hidden=hidden, lang=lang)


def not_graded(exercise_id: str, error, *, hidden: bool, lang: str) -> ExerciseResult:
    """The result of a submission whose checks could not run: every check at 0, ``error`` (a Msg, or a
    str that reads the same in every language) said once."""
    not_run = t("not_loaded", BOTH)
    ex_id = registry.get(exercise_id).id
    return ExerciseResult(ex_id, tuple(CheckResult(c.qualified_id(ex_id), c.title, 0.0, c.points, False, c.hidden,
                                                   not_run, "not_loaded", lang=lang)
                                       for c in checks_for(ex_id, hidden)),
                          error_text=clip(error), lang=lang)
