"""Grading results: one dataclass per check, one per exercise, with the SPEC's JSON form."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one named check: points earned out of max_points, and a message."""

    name: str
    points: float
    max_points: float
    passed: bool
    hidden: bool = False
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExerciseResult:
    """All checks of one exercise for one submission; ``error`` is set when it could not be loaded."""

    exercise: str
    checks: tuple[CheckResult, ...] = field(default_factory=tuple)
    error: str | None = None
    extras: dict = field(default_factory=dict)  # data for feedback plots, from public checks only
    notes: tuple[str, ...] = ()  # what was wrong with the submission that did not stop its grading (broken cells)

    @property
    def score(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def max_score(self) -> float:
        return float(sum(c.max_points for c in self.checks))

    @property
    def full_marks(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    def to_dict(self) -> dict:
        """{"exercise", "score", "max_score", "checks": [...], "error"} as in the SPEC, plus
        "extras" (plot data) only when a check attached some and "notes" only when there are some."""
        data = {
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_dict() for c in self.checks],
            "error": self.error,
        }
        if self.extras:
            data["extras"] = self.extras
        if self.notes:
            data["notes"] = list(self.notes)
        return data
