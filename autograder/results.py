"""Grading results: one dataclass per check, one per exercise, one per graded submission.

A result holds no prose in one language: a check's title and message are :class:`~autograder.messages.Msg`
values (every language), rendered only when shown, in the language asked for then. Identity is
structural: a check is known by its stable ``id`` ("ex3.mask_values"), what happened by its
``outcome``, a recognised mistake by its id in ``mistakes``; nothing reads them back from text.

The JSON form (``to_dict``, what ``--json`` prints and what a class's grade files hold)::

    {"exercise": "ex3", "score": 8.0, "max_score": 10.0, "error": null | str,
     "errors": {"en": str, "es": str} | absent,
     "checks": [{"id": "ex3.mask_values", "name": str, "titles": {"en", "es"},
                 "points": 1.0, "max_points": 1.0, "passed": true, "hidden": false,
                 "outcome": "passed", "mistakes": ["dropout_no_scale", ...],
                 "message": str, "messages": {"en": str, "es": str}}, ...],
     "extras": {...} | absent, "notes": [str] | absent, "notes_i18n": [{"en", "es"}] | absent}

``name``, ``message``, ``error`` and ``notes`` are in the language the dict was made in (for
readers that want one text); the ``*s``/``_i18n`` keys hold every language. Records written
before check ids existed still load (:meth:`ExerciseResult.from_dict`).

A graded submission (:class:`GradedSubmission`, what ``grader grade`` writes to
GRADES/<ex>/<student>.json) is that dict plus ``"student"``, ``"path"``, ``"sha256"``, the
course's ``"record_error"`` when recording it failed, and any other key it was read with. It is
the one type the gradebook, the feedback pages, the class report and the exports take; dicts are
only its JSON form on disk, ``--json``'s output and nbgrader's gradebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .messages import Msg, as_msg, t

#: what happened when a check ran; "passed" is the only one that earns points
OUTCOMES = (
    "passed",           # the property holds
    "failed",           # the property does not hold (the message says how)
    "raised",           # the student's code raised an exception
    "not_implemented",  # … NotImplementedError: the stub is still there
    "output_cap",       # it printed more than the output limit
    "timed_out",        # it ran past its time limit
    "crashed",          # its process died (memory, a signal)
    "bad_reply",        # it returned something that cannot be read
    "not_defined",      # a name the check needs is not defined
    "not_loaded",       # the submission could not be loaded, so nothing ran
    "check_error",      # a returned value of an unexpected kind tripped the check itself
)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: points earned out of max_points, and why.

    id: stable id, "<exercise>.<check>"; title: the check's title (every language); text: the
    message (every language); outcome: one of :data:`OUTCOMES`; mistakes: ids of the known
    mistakes the message names; lang: the language of the ``name`` and ``message`` shortcuts.
    """

    id: str
    title: Msg
    points: float
    max_points: float
    passed: bool
    hidden: bool = False
    text: Msg = Msg("", "")
    outcome: str = "passed"
    mistakes: tuple[str, ...] = ()
    lang: str = "en"

    @property
    def name(self) -> str:
        """The title in English (tests and logs); ``title(lang)`` for a reader."""
        return self.title("en")

    @property
    def message(self) -> str:
        """The message in the language this result was graded for."""
        return self.text(self.lang)

    def student_message(self, lang: str = "en", exercise: str | None = None) -> str:
        """The message as its student may read it, in ``lang`` (the policy: :mod:`autograder.redact`).

        Public check: its message. Hidden check that passed: "ok" / "correcto". Hidden check that
        failed: its message when its outcome involves no input (``redact.INPUT_FREE``), else "Failed
        on the hidden test inputs." / "Falla con las entradas ocultas." plus a likely-mistake
        sentence for each known mistake it found, rebuilt in ``lang`` from the exercise's
        ``MISTAKES`` (the exercise: ``exercise``, or this check id's prefix), never from its message.
        """
        from .redact import INPUT_FREE, TEXTS, exercise_mistakes

        if not self.hidden:
            return self.text(lang)
        if self.passed:
            return t("passed", lang)
        if self.outcome in INPUT_FREE:
            return self.text(lang)
        exercise = exercise or self.id.partition(".")[0]
        texts = exercise_mistakes(exercise) if exercise else {}
        sentences = [t("mistake", lang, mistake=texts[m](lang)) for m in self.mistakes if m in texts]
        return TEXTS["hidden_failed"](lang) + "".join(dict.fromkeys(sentences))

    def to_dict(self, lang: str | None = None) -> dict:
        lang = lang or self.lang
        return {"id": self.id, "name": self.title(lang), "titles": self.title.to_dict(),
                "points": self.points, "max_points": self.max_points, "passed": self.passed,
                "hidden": self.hidden, "outcome": self.outcome, "mistakes": list(self.mistakes),
                "message": self.text(lang), "messages": self.text.to_dict()}

    @classmethod
    def from_dict(cls, data: dict, exercise: str = "", lang: str = "en") -> "CheckResult":
        """A check of a record on disk; an older record (no "id") gets its id from the exercise's
        checks by title, or "<exercise>.<title>" when no check has that title any more."""
        title = as_msg(data.get("titles") or data.get("name", ""))
        check_id = data.get("id") or _id_for_title(exercise, title.en)
        passed = bool(data.get("passed"))
        return cls(str(check_id), title, float(data.get("points", 0.0)), float(data.get("max_points", 0.0)),
                   passed, bool(data.get("hidden", False)), as_msg(data.get("messages") or data.get("message", "")),
                   str(data.get("outcome") or ("passed" if passed else "failed")),
                   tuple(str(m) for m in data.get("mistakes") or ()), lang)


def _id_for_title(exercise: str, title: str) -> str:
    try:
        from .grading import exercise_module

        for check in exercise_module(exercise).CHECKS:
            if check.name == title:
                return check.qualified_id(exercise)
    except (ImportError, KeyError, AttributeError):
        pass
    return f"{exercise}.{title}" if exercise else title


@dataclass(frozen=True)
class ExerciseResult:
    """All checks of one exercise for one submission; ``error`` is set when it could not be loaded."""

    exercise: str
    checks: tuple[CheckResult, ...] = field(default_factory=tuple)
    error_text: Msg | None = None
    extras: dict = field(default_factory=dict)  # data for feedback plots, from public checks only
    notes_text: tuple[Msg, ...] = ()  # what was wrong with the submission that did not stop its grading
    lang: str = "en"

    @property
    def error(self) -> str | None:
        return None if self.error_text is None else self.error_text(self.lang)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(n(self.lang) for n in self.notes_text)

    @property
    def score(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def max_score(self) -> float:
        return float(sum(c.max_points for c in self.checks))

    @property
    def full_marks(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    def check(self, check_id: str) -> CheckResult:
        """The check whose id is ``check_id`` (with or without the exercise prefix)."""
        full = check_id if "." in check_id else f"{self.exercise}.{check_id}"
        return next(c for c in self.checks if c.id == full)

    def to_dict(self, lang: str | None = None) -> dict:
        """The JSON form of the module docstring, in ``lang`` (default: the one graded for)."""
        lang = lang or self.lang
        data = {
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_dict(lang) for c in self.checks],
            "error": None if self.error_text is None else self.error_text(lang),
        }
        if self.error_text is not None:
            data["errors"] = self.error_text.to_dict()
        if self.extras:
            data["extras"] = self.extras
        if self.notes_text:
            data["notes"] = [n(lang) for n in self.notes_text]
            data["notes_i18n"] = [n.to_dict() for n in self.notes_text]
        return data

    @classmethod
    def from_dict(cls, data: dict, lang: str = "en") -> "ExerciseResult":
        exercise = str(data.get("exercise", ""))
        error = data.get("errors") or data.get("error")
        notes = data.get("notes_i18n") or data.get("notes") or ()
        return cls(exercise, tuple(CheckResult.from_dict(c, exercise, lang) for c in data.get("checks", ())),
                   None if error is None else as_msg(error), dict(data.get("extras") or {}),
                   tuple(as_msg(n) for n in notes), lang)


@dataclass(frozen=True)
class GradedSubmission:
    """One student's graded file, as it flows to the gradebook, feedback, reports and exports.

    student: the id it is filed under; path: the file graded; sha256: its digest (a rerun tells
    whether it changed); result: the grading (notes on the submission included: ``result.notes_text``);
    info: the other keys the record was read with (an older version's, collect's identity), kept as
    they are; record_error: what went wrong when a course recorded it (the autograded notebook, the
    gradebook, the result file), None when it was recorded. ``to_dict``/``from_dict`` are its JSON
    form (the module docstring); ``from_dict(x.to_dict(), lang) == x`` for a record read in ``lang``.
    """

    student: str
    path: str
    sha256: str
    result: ExerciseResult
    info: dict = field(default_factory=dict)
    record_error: str | None = None

    # the result's, for the readers of a record
    @property
    def exercise(self) -> str:
        return self.result.exercise

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return self.result.checks

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def max_score(self) -> float:
        return self.result.max_score

    @property
    def extras(self) -> dict:
        return self.result.extras

    @property
    def lang(self) -> str:
        """The language of the JSON form's one-language texts (the one graded, or read, in)."""
        return self.result.lang

    def error(self, lang: str | None = None) -> str | None:
        """Why the submission could not be loaded, in ``lang`` (default: :attr:`lang`); None when it was."""
        text = self.result.error_text
        return None if text is None else text(lang or self.result.lang)

    def notes(self, lang: str | None = None) -> tuple[str, ...]:
        """What was wrong with the submission that did not stop its grading, in ``lang``."""
        return tuple(n(lang or self.result.lang) for n in self.result.notes_text)

    def to_dict(self, lang: str | None = None) -> dict:
        data = dict(self.info)
        data.update(self.result.to_dict(lang))
        data.update(student=self.student, path=self.path, sha256=self.sha256)
        if self.record_error is not None:
            data["record_error"] = self.record_error
        return data

    @classmethod
    def from_dict(cls, data: dict, lang: str = "en") -> "GradedSubmission":
        known = {"exercise", "score", "max_score", "checks", "error", "errors", "extras", "notes", "notes_i18n",
                 "student", "path", "sha256", "record_error"}
        record_error = data.get("record_error")
        return cls(str(data.get("student", "")), str(data.get("path", "")), str(data.get("sha256", "")),
                   ExerciseResult.from_dict(data, lang), {k: v for k, v in data.items() if k not in known},
                   None if record_error is None else str(record_error))


def normalized(record: dict, lang: str = "en") -> dict:
    """A record dict as the current version writes it (ids, outcomes, every language), from any
    record this or an earlier version wrote."""
    return GradedSubmission.from_dict(record, lang).to_dict(lang)
