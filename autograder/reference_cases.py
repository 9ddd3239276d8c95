"""Cases computed by the trusted reference: hidden draws and the public fixtures' content.

Instructor install only: this module imports ``reference_impl`` and is never
shipped in the student distribution (``tools/student_dist.py`` keeps an
allow-list), so nothing a student installs can compute a case. Public checks
read the committed fixtures instead (:func:`autograder.cases.public_cases`,
:func:`autograder.cases.reference_case`); input generators (``make_inputs``),
which run only here, reach the reference through :func:`reference`.
"""
from __future__ import annotations

import copy

import numpy as np

from . import cases
from .checks import Case, CaseSpec, seed_for
from .impl import LocalImpl
from .sandbox import StudentRaised


def _run(procedure, namespace, inputs):
    return procedure(LocalImpl(namespace), inputs)


def reference(name: str):
    """The reference's function (or class) ``name`` of the exercise contract."""
    from reference_impl import variants

    return variants.namespace()[name]


def layer_trace(x, layers) -> list[tuple]:
    """The reference's (z, a) of each layer [(W, b, activation)], from x."""
    dense_forward, a, trace = reference("dense_forward"), x, []
    for W, b, activation in layers:
        z, a = dense_forward(a, W, b, activation)
        trace.append((z, a))
    return trace


def reference_case(spec: CaseSpec, inputs: dict) -> Case:
    """The accepted forms' and the known mistakes' outputs of ``spec.procedure`` on ``inputs``."""
    from reference_impl import variants

    if cases._recording is not None:
        cases._recording.append((spec.key, copy.deepcopy(inputs)))
    accepted = {form: _run(spec.procedure, variants.namespace(form), inputs) for form in spec.forms}
    outputs = {}
    for mistake in spec.mistakes:
        try:
            outputs[mistake] = _run(spec.procedure, variants.namespace(mistake=mistake), inputs)
        except StudentRaised:
            continue  # this mistake crashes on these inputs: nothing to recognise
    return Case(inputs, accepted, outputs)


def asked(spec: CaseSpec, key: str) -> list[dict]:
    """The inputs the check ``spec.asked_by`` asks the reference about (:func:`autograder.cases.reference_case`)
    when it grades the reference with ``key``'s seed: what it asks any submission, as far as it gets."""
    from reference_impl import variants

    from .grading import exercise_module, run_check

    module = exercise_module(spec.key.split(".")[0])
    check = next(c for c in module.CHECKS if c.name == spec.asked_by)
    cases._recording = []
    try:
        result = run_check(check, LocalImpl(variants.namespace()), lang="en", case_source=cases.CaseSource(key),
                           mistakes=module.MISTAKES, hidden_key=key)
        recorded = cases._recording
    finally:
        cases._recording = None
    if not result.passed:
        raise RuntimeError(f"{check.name!r} fails on the reference: {result.message}")
    unique: list[dict] = []
    for spec_key, inputs in recorded:
        if spec_key == spec.key and not any(cases.same_inputs(inputs, seen) for seen in unique):
            unique.append(inputs)
    return unique


def live_cases(spec: CaseSpec, key: str) -> list[Case]:
    """Draw inputs with seed (key, spec.key), or find what ``spec.asked_by`` asks, and compute accepted and
    mistake outputs with the reference."""
    if spec.asked_by:
        return [reference_case(spec, inputs) for inputs in asked(spec, key)]
    rng = np.random.default_rng(seed_for(key, spec.key))
    return [reference_case(spec, inputs) for inputs in spec.make_inputs(rng)]
