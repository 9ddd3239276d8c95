"""What one collection did: :class:`Collected`, :class:`Skipped` and :class:`CollectReport`.

Plain data, shared by the rooms of ``grader collect``: the sources
(:mod:`autograder.course.sources`) list what they refuse as :class:`Skipped`,
the collection (:mod:`autograder.course.collect`) and nbgrader's exchange
(:mod:`autograder.course.exchange`) fill a :class:`CollectReport`. All three
are importable from :mod:`autograder.course.collect`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Collected:
    """One submission written into the course: who, from where, to where, submitted when."""

    student: str
    source: str
    destination: Path
    timestamp: str
    lms: str
    replaced: bool = False
    lms_id: str | None = None       # Moodle participant number, Canvas user id, Blackboard username
    full_name: str | None = None    # the name as the LMS wrote it (see :mod:`autograder.course.roster`)


@dataclass(frozen=True)
class Skipped:
    """A file (or exchange submission) that was not collected, and why."""

    path: str
    reason: str


@dataclass
class CollectReport:
    """What one collection did. ``ok`` is true when at least one submission was collected.

    ``error`` is set when the source as a whole could not be read (a broken
    zip, nbgrader's exchange failing); ``ignored`` lists the junk passed over.
    """

    exercise: str
    source: str
    collected: list[Collected] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.collected)

    @property
    def students(self) -> list[str]:
        return sorted(c.student for c in self.collected)

    def to_dict(self) -> dict:
        data = asdict(self)
        for c in data["collected"]:
            c["destination"] = str(c["destination"])
        return data
