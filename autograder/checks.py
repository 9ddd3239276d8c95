"""Checks: small named functions that score one property of a submission.

Two kinds, both declared in ``autograder/exercises/exN.py``:

* **comparison checks** (:func:`compare_check`): run a *procedure* (a few
  calls to the implementation) on the inputs of each :class:`Case` and compare
  its named outputs with the reference's. Cases come from the committed public
  fixtures (``grader check``) or are drawn fresh with the hidden seed and
  computed by the reference in this process (``grader grade``). A case also
  carries the outputs of every known-mistake variant of the reference, so a
  wrong output that matches one is named.
* **property checks** (:class:`Check` with any ``run``): gradient checks of the
  student's own functions, invariants, statistical tests — no reference needed.

A check's ``run(ctx)`` returns an optional note and raises :class:`Fail` with a
message when the property does not hold; anything the student's code does
(raise, loop, crash) surfaces as a :class:`~autograder.sandbox.SandboxError`,
which the runner turns into a message. Points are all-or-nothing per check.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .compare import as_float_array, compare
from .messages import Msg, Text, mistake_msg, t

Outputs = dict


class Fail(Exception):
    """A check's property does not hold; ``message``: a :class:`Msg` (every language, from
    ``ctx.text`` / ``t(…, ctx.lang)``), or a str that reads the same in every language."""

    def __init__(self, message: Msg | str):
        self.message = message
        super().__init__(message if isinstance(message, str) else message.en)


@dataclass(frozen=True)
class Mistake:
    """A known mistake, declared once in its exercise: ``id``, the sentence a student reads (``en``,
    ``es``) and the ids of the checks that must catch it (``targets``; the tests and ``grader
    validate`` hold the grader to them). The code that makes it, a one-error variant of the
    reference, is ``reference_impl/mistakes_<ex>.VARIANTS[id]``: students never receive it.
    Called like a :class:`Text`: ``mistake(lang)``."""

    id: str
    en: str
    es: str
    targets: tuple[str, ...] = ()

    def __call__(self, lang: str = "en", **fields):
        return Text(self.en, self.es)(lang, **fields)


def mistake_catalog(*mistakes: Mistake) -> dict[str, Mistake]:
    """An exercise's ``MISTAKES``: id -> :class:`Mistake`, each id once."""
    catalog: dict[str, Mistake] = {}
    for m in mistakes:
        if m.id in catalog:
            raise ValueError(f"mistake {m.id!r} declared twice")
        catalog[m.id] = m
    return catalog


@dataclass(frozen=True)
class CaseSpec:
    """How to build the cases of a comparison.

    key: unique name, also the fixture key ("ex1.softmax");
    make_inputs(rng) -> list of input dicts (keys starting with "_" are
    metadata, e.g. "_label" describing the case in messages, or "_trace",
    reference values a check reads besides the outputs); it runs where the
    reference is (live cases, ``grader fixtures``), so it may use it;
    procedure(impl, inputs) -> outputs dict (label -> value);
    forms: accepted implementations, names in ``reference_impl.variants.FORMS``;
    mistakes: ids in ``reference_impl.variants.MISTAKES`` to try on a miss;
    asked_by: instead of make_inputs, the name of a property check that draws
    its own inputs and asks for the reference's outputs on them
    (:func:`autograder.cases.reference_case`): the cases are what it asks when
    it runs on the reference, so the public fixture answers the public check.
    """

    key: str
    make_inputs: Callable | None
    procedure: Callable
    forms: tuple[str, ...] = ("reference",)
    mistakes: tuple[str, ...] = ()
    asked_by: str = ""


@dataclass(frozen=True)
class Case:
    """One input with its accepted outputs (form -> outputs) and known-mistake outputs."""

    inputs: dict
    accepted: dict
    variants: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(self.inputs.get("_label", ""))


@dataclass(frozen=True)
class Check:
    """One scored property.

    name: its title in English, title_es in Spanish (display text only); id: its stable id within
    the exercise ("mask_values"; the result's id is "ex3.mask_values"), which keys gradebook
    columns, cell scores and mistake targets, so a title can be reworded freely; needs: names the
    submission must define for it to run; cell: the notebook test cell (nbgrader grade id) that
    carries its points; seed: what its generator is seeded with besides the key (default: the
    title it was first released with, so that inputs stay the same for a given key).
    """

    name: str
    points: float
    run: Callable
    needs: tuple[str, ...]
    hidden: bool = False
    cell: str = ""
    id: str = ""
    title_es: str = ""
    seed: str = ""

    @property
    def title(self) -> Msg:
        return Msg(self.name, self.title_es or self.name)

    def qualified_id(self, exercise: str) -> str:
        return f"{exercise}.{self.id}" if self.id else f"{exercise}.{self.name}"


class Context:
    """What a running check may use: the implementation under test, a seeded
    generator private to the check, the language, and the cases of a spec."""

    def __init__(self, impl, check: Check, *, hidden_key: str, lang: str, case_source, mistakes: dict,
                 extras: dict | None = None, state: dict | None = None):
        self.impl = impl
        #: what the checks of one submission share (a training run several checks score), never kept in
        #: module globals: it lives as long as the grading of this submission
        self.state = {} if state is None else state
        self.check = check
        self.lang = lang
        self.mistakes = mistakes
        self._case_source = case_source
        self.extras = {} if extras is None else extras
        self.rng = np.random.default_rng(seed_for(hidden_key if check.hidden else "public", check.seed or check.name))

    def attach(self, key: str, value) -> None:
        """Keep JSON-able data for the feedback page (a learning curve, a decision boundary).
        Hidden checks never attach: their data would reveal hidden inputs."""
        if not self.check.hidden:
            self.extras[key] = value

    def cases(self, spec: CaseSpec) -> list[Case]:
        return self._case_source(spec, self.check.hidden)

    def text(self, text: Text, **fields) -> Msg:
        return text(self.lang, **fields)

    def mistake(self, mistake_id: str) -> Msg:
        """" Likely mistake: …" for a known mistake of this exercise (the message then names it)."""
        return mistake_msg(mistake_id, self.mistakes[mistake_id], self.lang)


_NONFINITE_AT = Text("{what}: {value} at index {index}, where z = {z:.6g} (expected {expected:.6g}); {count} of {size} "
                     "value(s) are NaN or infinite where finite values were expected.",
                     "{what}: {value} en el índice {index}, donde z = {z:.6g} (se esperaba {expected:.6g}); {count} de "
                     "{size} valor(es) son NaN o infinitos donde se esperaban valores finitos.")


def _nonfinite_message(ctx, got: dict, case: Case) -> Msg | None:
    """When the first wrong output holds NaN or ±inf where the reference's is finite: which value, at which
    index, the input z there, and the known mistake whose outputs it matches (as :func:`judge` names them)."""
    expected = next(iter(case.accepted.values()))
    for label in [lab for lab in got if lab in expected]:
        mismatch = compare(got[label], expected[label])
        if mismatch is None:
            continue
        if mismatch.kind != "nonfinite":
            return None
        arr = as_float_array(got[label])[0]
        exp = np.asarray(expected[label], dtype=np.float64)
        z = np.asarray(case.inputs.get("z", np.nan), dtype=np.float64)
        if arr.shape != exp.shape or z.shape != exp.shape or exp.ndim == 0:
            return None  # not an elementwise output of z (a cost): judge's own words
        bad = ~np.isfinite(arr) & np.isfinite(exp)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = "NaN" if np.isnan(arr[index]) else ("inf" if arr[index] > 0 else "-inf")
        where = f"{label} [{case.label}]" if case.label else label
        message = ctx.text(_NONFINITE_AT, what=where, value=value, index=index, z=float(z[index]),
                           expected=float(exp[index]), count=int(bad.sum()), size=int(arr.size))
        for mistake_id, outputs in case.variants.items():
            if mistake_id in ctx.mistakes and all(
                    lab in got and compare(got[lab], val) is None for lab, val in outputs.items()):
                return message + ctx.mistake(mistake_id)
        return message
    return None


def finite_compare_check(name: str, specs: tuple[CaseSpec, ...], points: float, needs: tuple[str, ...], *,
                         hidden: bool = False, cell: str = "", id: str = "", title_es: str = "") -> Check:
    """A comparison check (like compare_check) over the cases of several specs in turn, for functions of one
    input ``z`` that must stay finite at large |z|: a NaN or inf where the reference is finite is reported
    as that value at its index, with the z there (``_nonfinite_message``), and named when a known mistake
    gives it. Other misses read as :func:`judge` says them."""

    def run(ctx):
        for spec in specs:
            for case in ctx.cases(spec):
                got = spec.procedure(ctx.impl, case.inputs)
                _, message = judge(got, case, ctx.lang, mistakes=ctx.mistakes)
                if message is not None:
                    raise Fail(_nonfinite_message(ctx, got, case) or message)
        return None

    return Check(name, points, run, needs, hidden, cell, id=id, title_es=title_es)


def labelled(result, labels, what: str) -> dict:
    """A procedure's view of a call that returns a tuple: ``{label: value}``; a return of another kind or
    length is reported under the first label, as what came back instead (``what``: the function)."""
    from .sandbox import Unsupported

    if isinstance(result, (tuple, list)) and len(result) == len(labels):
        return dict(zip(labels, result))
    n = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
    return {labels[0]: Unsupported(f"a {type(result).__name__}{n} from {what} instead of ({', '.join(labels)})")}


def seed_for(key: str, name: str) -> int:
    """A deterministic 32-bit seed from a key ("public" or the hidden key) and a name."""
    return zlib.crc32(f"{key}:{name}".encode())


def judge(got: Outputs, case: Case, lang: str, *, mistakes: dict, depends: dict | None = None,
          rtol: float | None = None) -> tuple[str | None, str | None]:
    """Compare outputs with a case. Returns (form that matched, None) or (None, failure message).

    Outputs are compared in the order the procedure returned them; ``depends`` maps an
    output label to the name of another student function that produced it, so
    a miss there is reported as that function's fault.
    """
    kw = {} if rtol is None else {"rtol": rtol}
    for form, expected in case.accepted.items():
        if all(label in got and compare(got[label], value, **kw) is None for label, value in judged(expected).items()):
            return form, None
    expected = judged(next(iter(case.accepted.values())))
    # report the first miss in the order the procedure produced its outputs (z before a)
    order = [label for label in got if label in expected] + [label for label in expected if label not in got]
    for label in order:
        value = expected[label]
        mismatch = compare(got.get(label), value, **kw)
        if mismatch is None:
            continue
        where = f"{label} [{case.label}]" if case.label else label
        detail = mismatch.describe(where, lang)
        if depends and label in depends:
            message = t("depends", lang, other=depends[label], detail=detail.rstrip("."))
            upstream = _upstream_mistake(got, case, mistakes, depends[label], depends, kw)
            return None, message if upstream is None else message + mistake_msg(upstream, mistakes[upstream], lang)
        for mistake_id, outputs in case.variants.items():
            if mistake_id in mistakes and all(
                    lab in got and compare(got[lab], val, **kw) is None for lab, val in judged(outputs).items()):
                return None, detail + mistake_msg(mistake_id, mistakes[mistake_id], lang)
        return None, detail + _context_note(got, case, lang, mistakes, kw)
    return None, None  # unreachable: some label mismatched


#: an output label that starts with this is context, not a result: what another student function the checked
#: one calls returns on a fixed probe (``"_relu_prime(probe)"``), recorded so that a miss can be traced to it
CONTEXT = "_"


def judged(outputs: dict) -> dict:
    """The outputs a comparison judges: every one but the context (:data:`CONTEXT`)."""
    return {label: value for label, value in outputs.items() if not label.startswith(CONTEXT)}


def context_function(label: str) -> str:
    """The student function a context label records: ``"_relu_prime(probe)"`` -> ``"relu_prime"``."""
    return label[len(CONTEXT):].split("(")[0]


def _context_note(got: Outputs, case: Case, lang: str, mistakes: dict, kw: dict):
    """" It uses your `relu_prime`, which is wrong here (…)" for the first context output that differs from the
    reference's, naming that function's known mistake when its output is one; "" when none differs."""
    expected = next(iter(case.accepted.values()))
    for label in [lab for lab in got if lab.startswith(CONTEXT) and lab in expected]:
        mismatch = compare(got[label], expected[label], **kw)
        if mismatch is None:
            continue
        other = context_function(label)
        note = t("uses_wrong", lang, other=other, detail=mismatch.describe(label[len(CONTEXT):], lang).rstrip("."))
        for mistake_id, outputs in case.variants.items():
            if mistake_id in mistakes and label in outputs and compare(got[label], outputs[label], **kw) is None:
                return note + mistake_msg(mistake_id, mistakes[mistake_id], lang)
        return note
    return ""


def _upstream_mistake(got: Outputs, case: Case, mistakes: dict, other: str, depends: dict, kw: dict) -> str | None:
    """The known mistake whose outputs match every output ``got`` has from the upstream function ``other``
    (the labels ``depends`` maps to it), or None."""
    labels = [lab for lab, fn in depends.items() if fn == other and lab in got]
    for mistake_id, outputs in case.variants.items():
        if mistake_id in mistakes and labels and all(
                lab in outputs and compare(got[lab], outputs[lab], **kw) is None for lab in labels):
            return mistake_id
    return None


def correct_given_upstream(ctx: "Context", check_id: str, got: Outputs, case: Case, depends: dict,
                            rtol: float | None) -> Msg | None:
    """One error scored once: when another student function this one uses (an output ``depends`` maps to it,
    or a context output, :data:`CONTEXT`) makes a known mistake that does not target this check, and every
    output, context included, is exactly that mistake's, this function is right on what it was given: a note
    that it keeps its points and why, naming the upstream mistake (scored by the checks it targets). None
    otherwise."""
    kw = {} if rtol is None else {"rtol": rtol}
    expected = next(iter(case.accepted.values()))
    upstream = [lab for lab in got if lab in expected and (lab in depends or lab.startswith(CONTEXT))]
    for mistake_id, outputs in case.variants.items():
        mistake = ctx.mistakes.get(mistake_id)
        if mistake is None or check_id in mistake.targets or not outputs:
            continue
        if not all(lab in got and compare(got[lab], val, **kw) is None for lab, val in outputs.items()):
            continue
        for label in upstream:
            mismatch = compare(got[label], expected[label], **kw)
            if mismatch is None:
                continue
            other = depends.get(label) or context_function(label)
            shown = label[len(CONTEXT):] if label.startswith(CONTEXT) else label
            where = f"{shown} [{case.label}]" if case.label else shown
            return (t("depends_ok", ctx.lang, other=other, detail=mismatch.describe(where, ctx.lang).rstrip("."))
                    + t("mistake", ctx.lang, mistake=mistake(ctx.lang)))
        return None  # the upstream is right here: the mistake is this function's own
    return None


def compare_check(name: str, spec: CaseSpec, points: float, needs: tuple[str, ...], *, hidden: bool = False,
                  cell: str = "", depends: dict | None = None, rtol: float | None = None, id: str = "",
                  title_es: str = "", explain: Callable | None = None) -> Check:
    """A check that passes when every case's outputs match an accepted form.

    With ``depends`` (an output label -> the other student function that produced it): a miss there is
    reported as that function's fault, naming its known mistake when its outputs match one; and when every
    output is exactly that mistake's, this function is right on what it was given and the check keeps its
    points with a note (one error is scored once, by the checks the mistake targets). ``explain(ctx, case,
    got)``: the exercise's own way of finding that a miss is entirely another function's fault (a note, the
    check keeps its points) or None."""

    def run(ctx: Context):
        forms, notes = set(), []
        for case in ctx.cases(spec):
            got = spec.procedure(ctx.impl, case.inputs)
            form, message = judge(got, case, ctx.lang, mistakes=ctx.mistakes, depends=depends, rtol=rtol)
            if message is not None:
                kept = correct_given_upstream(ctx, ctx.check.id, got, case, depends or {}, rtol)
                if kept is None and explain is not None:
                    kept = explain(ctx, case, got)
                if kept is None:
                    raise Fail(message)
                notes.append(kept)
                continue
            forms.add(form)
        if notes:
            return notes[0]
        if len(spec.forms) > 1 and len(forms) == 1:
            return t("form_recognised", ctx.lang, form=forms.pop())
        return None

    return Check(name, points, run, needs, hidden, cell, id=id, title_es=title_es)
