"""The instructor's class report for one exercise: what to re-teach next lecture.

Input: the exercise's graded submissions (:class:`autograder.results.GradedSubmission`, read
from GRADES/<ex>/<student>.json by ``export.read_records``). Output: one self-contained HTML page
(inline CSS, the histogram as a hand-written inline SVG, no scripts) with

- the number of submissions, how many reached full marks, mean and median score;
- a histogram of scores over 0..max_score (one bar per point when the maximum
  is a whole number up to 20, else 10 equal bins; the last bin includes the
  maximum);
- each check's pass rate over the submissions that could be loaded, worst first;
- the known mistakes found in failed checks (their ``mistakes`` ids), most
  frequent first, each with the number of students, their ids and the checks
  where it showed up;
- the submissions that could not be loaded, with their errors.

This page is for the instructor and may name hidden checks; it never prints
check messages other than the (constant) mistake texts and load errors.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from . import registry
from .files import atomic_write
from .export import read_records
from .feedback import esc, exercise_title, fmt, page
from .messages import Msg, Text
from .redact import exercise_mistakes
from .results import GradedSubmission

TEXTS = {
    "title": Text("Class report", "Informe de la clase"),
    "submissions": Text("Submissions", "Entregas"),
    "full_marks": Text("Full marks", "Con todos los puntos"),
    "mean": Text("Mean score", "Nota media"),
    "median": Text("Median score", "Nota mediana"),
    "unloadable_n": Text("Could not be loaded", "No se pudieron cargar"),
    "histogram": Text("Distribution of scores", "Distribución de las notas"),
    "histogram_alt": Text("Histogram of {n} scores from 0 to {max}", "Histograma de {n} notas de 0 a {max}"),
    "bar_title": Text("{count} student(s) scored {label}", "{count} estudiante(s) con nota {label}"),
    "x_axis": Text("score", "nota"),
    "y_axis": Text("students", "estudiantes"),
    "pass_rates": Text("Pass rate of each check (worst first)", "Porcentaje de aprobados por comprobación (peor primero)"),
    "pass_rates_note": Text("Over the {n} submission(s) that could be loaded.",
                            "Sobre las {n} entrega(s) que se pudieron cargar."),
    "check": Text("Check", "Comprobación"),
    "points": Text("Points", "Puntos"),
    "passed": Text("Passed", "Superada"),
    "rate": Text("Pass rate", "Porcentaje"),
    "hidden": Text("hidden", "oculta"),
    "mistakes": Text("Most frequent known mistakes", "Errores conocidos más frecuentes"),
    "mistake": Text("Mistake", "Error"),
    "students": Text("Students", "Estudiantes"),
    "count": Text("Count", "Número"),
    "where": Text("Seen in", "Aparece en"),
    "no_mistakes": Text("No known mistake was named in any failed check.",
                        "Ninguna comprobación fallida nombró un error conocido."),
    "unloadable": Text("Submissions that could not be loaded", "Entregas que no se pudieron cargar"),
    "student": Text("Student", "Estudiante"),
    "error": Text("Error", "Error"),
    "none": Text("No submissions.", "Ninguna entrega."),
}


# ------------------------------------------------------------------ numbers

@dataclass(frozen=True)
class Bin:
    """Scores in [lo, hi) — [lo, hi] for the last bin — shown as ``label``."""

    lo: float
    hi: float
    label: str
    count: int = 0


def histogram(scores: list[float], max_score: float) -> list[Bin]:
    """Bins over 0..max_score with their counts (see the module docstring for the binning)."""
    max_score = max(float(max_score), max(scores, default=0.0), 0.0)
    if max_score == 0:
        return [Bin(0.0, 0.0, "0", len(scores))]
    if float(max_score).is_integer() and max_score <= 20:
        edges = [float(k) for k in range(int(max_score) + 1)] + [max_score + 1]
        labels = [fmt(k) for k in edges[:-1]]
    else:
        width = max_score / 10
        edges = [width * k for k in range(10)] + [max_score]
        labels = [f"{fmt(round(edges[k], 2))}–{fmt(round(edges[k + 1], 2))}" for k in range(10)]
    bins = []
    for k, label in enumerate(labels):
        lo, hi = edges[k], edges[k + 1]
        last = k == len(labels) - 1
        count = sum(1 for s in scores if lo <= s < hi or (last and s == hi))
        bins.append(Bin(lo, hi, label, count))
    return bins


@dataclass
class CheckRate:
    """How many loaded submissions passed one check (``id``; ``title`` in every language)."""

    id: str
    title: Msg
    max_points: float
    hidden: bool
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_rates(records: list[GradedSubmission]) -> list[CheckRate]:
    """Each check's pass rate over the records without a load error, worst first (ties: check order)."""
    rates: dict[str, CheckRate] = {}
    for rec in records:
        if rec.error():
            continue
        for c in rec.checks:
            r = rates.setdefault(c.id, CheckRate(c.id, c.title, float(c.max_points), bool(c.hidden)))
            r.total += 1
            r.passed += bool(c.passed)
    return sorted(rates.values(), key=lambda r: r.rate)


@dataclass
class MistakeCount:
    """One known mistake: the students whose failed checks found it, and those checks (their titles)."""

    mistake_id: str
    students: list[str] = field(default_factory=list)
    checks: list[Msg] = field(default_factory=list)


def mistake_counts(records: list[GradedSubmission], exercise: str) -> list[MistakeCount]:
    """Known mistakes found in failed checks, most students first (ties: by id); a student counts once.
    ``exercise``: only that exercise's mistake ids count."""
    known = exercise_mistakes(exercise)
    found: dict[str, MistakeCount] = {}
    for rec in records:
        for c in rec.checks:
            if c.passed:
                continue
            for mistake_id in dict.fromkeys(m for m in c.mistakes if m in known):
                m = found.setdefault(mistake_id, MistakeCount(mistake_id))
                if rec.student not in m.students:
                    m.students.append(rec.student)
                if c.title not in m.checks:
                    m.checks.append(c.title)
    for m in found.values():
        m.students.sort()
    return sorted(found.values(), key=lambda m: (-len(m.students), m.mistake_id))


# ------------------------------------------------------------------ rendering

def histogram_svg(bins: list[Bin], lang: str, n: int, max_score: float) -> str:
    """An inline SVG bar chart of ``bins`` (counts above the bars, labels below)."""
    width, height, left, bottom, top = 640, 240, 40, 40, 20
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((b.count for b in bins), default=0) or 1
    slot = plot_w / len(bins)
    bar_w = max(slot * 0.8, 1.0)
    alt = TEXTS["histogram_alt"](lang, n=n, max=fmt(max_score))
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" role="img" aria-label="{esc(alt)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="system-ui,sans-serif" font-size="11">'),
           f"<title>{esc(alt)}</title>",
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#4a5568"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#4a5568"/>',
           f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
           f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{peak}</text>',
           f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">{esc(TEXTS["x_axis"](lang))}</text>',
           (f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{esc(TEXTS["y_axis"](lang))}</text>')]
    for k, b in enumerate(bins):
        h = plot_h * b.count / peak
        x = left + k * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        tip = TEXTS["bar_title"](lang, count=b.count, label=b.label)
        out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                   f'fill="#4c6ef5"><title>{esc(tip)}</title></rect>')
        if b.count:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{b.count}</text>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{esc(b.label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _rate_bar(rate: float) -> str:
    pct = round(100 * rate)
    colour = "#1a7f37" if rate >= 0.8 else "#bf8700" if rate >= 0.5 else "#b42318"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="12" viewBox="0 0 120 12" aria-hidden="true">'
            f'<rect width="120" height="12" fill="#e8ebf2"/><rect width="{1.2 * pct:.1f}" height="12" fill="{colour}"/></svg>')


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def class_report_html(records: list[GradedSubmission], exercise: str, lang: str = "en") -> str:
    """The instructor's page for one exercise (see the module docstring)."""
    ex = registry.get(exercise)
    T = {k: v(lang) for k, v in TEXTS.items() if "{" not in v.en}
    heading = f'{T["title"]}: {exercise_title(ex.id, lang)}'
    parts = [f"<h1>{esc(heading)}</h1>"]
    scores = [float(r.score) for r in records]
    max_score = max([float(r.max_score) for r in records] + [ex.points])
    loaded = [r for r in records if not r.error()]
    unloadable = [r for r in records if r.error()]
    full = sum(1 for r in records if not r.error() and r.checks and all(c.passed for c in r.checks))
    stats = [(T["submissions"], str(len(records))), (T["full_marks"], str(full)),
             (T["mean"], f"{statistics.fmean(scores):.2f} / {fmt(max_score)}" if scores else "—"),
             (T["median"], f"{fmt(statistics.median(scores))} / {fmt(max_score)}" if scores else "—"),
             (T["unloadable_n"], str(len(unloadable)))]
    parts.append('<table class="stats">' + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in stats)
                 + "</table>")
    if not records:
        parts.append(f'<p>{esc(T["none"])}</p>')
        return page(heading, "\n".join(parts), lang)

    parts.append(f'<h2>{esc(T["histogram"])}</h2>')
    parts.append(histogram_svg(histogram(scores, max_score), lang, len(scores), max_score))

    parts.append(f'<h2>{esc(T["pass_rates"])}</h2>')
    parts.append(f'<p class="note">{esc(TEXTS["pass_rates_note"](lang, n=len(loaded)))}</p>')
    rows = []
    for r in pass_rates(records):
        tag = f'<span class="tag">{esc(T["hidden"])}</span>' if r.hidden else ""
        rows.append(f'<tr class="rate"><td>{esc(r.title(lang))}{tag}</td><td class="num">{fmt(r.max_points)}</td>'
                    f'<td class="num">{r.passed} / {r.total}</td>'
                    f'<td class="num">{round(100 * r.rate)}% {_rate_bar(r.rate)}</td></tr>')
    parts.append(_table([T["check"], T["points"], T["passed"], T["rate"]], rows))

    parts.append(f'<h2>{esc(T["mistakes"])}</h2>')
    counts = mistake_counts(records, ex.id)
    if counts:
        texts = exercise_mistakes(ex.id)
        rows = [f'<tr class="mistake" id="{esc(m.mistake_id)}"><td>{esc(texts[m.mistake_id](lang))} '
                f'<span class="tag">{esc(m.mistake_id)}</span></td><td class="num">{len(m.students)}</td>'
                f'<td>{esc(", ".join(m.students))}</td><td>{"<br>".join(esc(c(lang)) for c in m.checks)}</td></tr>'
                for m in counts]
        parts.append(_table([T["mistake"], T["count"], T["students"], T["where"]], rows))
    else:
        parts.append(f'<p>{esc(T["no_mistakes"])}</p>')

    if unloadable:
        parts.append(f'<h2>{esc(T["unloadable"])}</h2>')
        rows = [f'<tr class="unloadable"><td>{esc(r.student)}</td><td>{esc(r.error(lang))}</td></tr>'
                for r in unloadable]
        parts.append(_table([T["student"], T["error"]], rows))
    return page(heading, "\n".join(parts), lang)


def write_report(grades_dir, exercise: str, out_path, lang: str = "en") -> Path:
    """Write the class report of ``grades_dir/<ex>/*.json`` to ``out_path``; returns the path."""
    path = Path(out_path)
    atomic_write(path, class_report_html(read_records(grades_dir, exercise), exercise, lang))
    return path
