"""Where the cases of a comparison come from: committed public fixtures or live hidden draws.

* public (``grader check``): ``autograder/fixtures/<exercise>.json``, written by
  ``grader fixtures`` from the reference with the public seed; works without
  ``reference_impl`` installed.
* hidden (``grader grade``): inputs drawn with the course's secret key
  (:mod:`autograder.secret`; no default ships) and expected outputs computed by
  the reference in the grader's process, never in the student's.
* a property check's own draws (:func:`reference_case`): the public fixture
  holds the reference's outputs for what the public check asks
  (``CaseSpec.asked_by``); other draws are computed by the reference.

Fixture files are JSON: arrays as nested lists with dtype and shape (floats
written with ``repr``, so they round-trip exactly), tuples, generators
(``{"__rng__": seed}``) and catalog functions tagged.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .checks import Case, CaseSpec
from .sandbox import CatalogFunction, Rng

FIXTURES = Path(__file__).with_name("fixtures")


def hidden_key() -> str:
    """``$GRADER_HIDDEN_KEY``; :class:`~autograder.secret.MissingHiddenKey` when it is not set."""
    from .secret import resolve

    return resolve()


# ------------------------------------------------------------------ live cases
def live_cases(spec: CaseSpec, key: str) -> list[Case]:
    """Draw inputs with seed (key, spec.key) and compute accepted and mistake outputs with the reference.

    Instructor install only: the computation lives in :mod:`autograder.reference_cases`, which the
    student distribution does not ship."""
    from .reference_cases import live_cases as compute

    return compute(spec, key)


# ------------------------------------------------------------------ JSON form
def to_json(value):
    if isinstance(value, np.ndarray):
        return {"__nd__": value.tolist(), "dtype": value.dtype.name, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return to_json(np.asarray(value))
    if isinstance(value, tuple):
        return {"__tuple__": [to_json(v) for v in value]}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Rng):
        return {"__rng__": value.seed}
    if isinstance(value, CatalogFunction):
        return {"__fn__": value.name, "params": to_json(value.params)}
    return value


def from_json(value):
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__nd__" in value:
        return np.array(value["__nd__"], dtype=value["dtype"]).reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(from_json(v) for v in value["__tuple__"])
    if "__rng__" in value:
        return Rng(value["__rng__"])
    if "__fn__" in value:
        return CatalogFunction(value["__fn__"], **from_json(value["params"]))
    return {k: from_json(v) for k, v in value.items()}


def _case_to_json(case: Case) -> dict:
    return {"inputs": to_json(case.inputs), "accepted": to_json(case.accepted), "variants": to_json(case.variants)}


# ------------------------------------------------------------------ fixtures
def fixture_document(specs: list[CaseSpec]) -> dict:
    """The public fixture file's content for these specs (needs the reference)."""
    return {"format": 1, "cases": {s.key: [_case_to_json(c) for c in live_cases(s, "public")] for s in specs}}


def write_fixtures(exercise: str, specs: list[CaseSpec], folder: Path = FIXTURES) -> Path:
    path = Path(folder) / f"{exercise}.json"
    text = json.dumps(fixture_document(specs), indent=None, separators=(",", ":"))  # keeps output order
    path.write_text(text + "\n", encoding="utf-8")
    return path


#: how far a regenerated fixture value may drift from the committed one (last-digit changes of a
#: NumPy release) and still be the same fixture: 1000x tighter than the checks' own float64
#: tolerance (rtol 1e-6, atol 1e-10 x max|b|), so a fixture that would change a verdict is stale.
FIXTURE_RTOL = 1e-9


def fixture_difference(committed, regenerated, where: str = "", rtol: float = FIXTURE_RTOL) -> str | None:
    """Where two fixture documents (as read from JSON) differ beyond ``rtol``, or None.

    Arrays and floats are compared as ``|a-b| <= atol + rtol*|b|`` with ``atol = 1e-3*rtol*max|b|``
    of the array; shapes, dtypes, keys, strings and integers must be equal."""
    if isinstance(committed, dict) and isinstance(regenerated, dict):
        if "__nd__" in committed and "__nd__" in regenerated:
            if (committed["dtype"], committed["shape"]) != (regenerated["dtype"], regenerated["shape"]):
                return f"{where}: dtype/shape {committed['dtype']}{committed['shape']} != " \
                       f"{regenerated['dtype']}{regenerated['shape']}"
            a = np.array(committed["__nd__"], dtype=committed["dtype"]).astype(np.float64)
            b = np.array(regenerated["__nd__"], dtype=regenerated["dtype"]).astype(np.float64)
            scale = float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0))
            same_nan = np.isnan(a) == np.isnan(b)
            close = np.isclose(a, b, rtol=rtol, atol=1e-3 * rtol * scale, equal_nan=True)
            if not (same_nan.all() and close.all()):
                i = tuple(int(k) for k in np.argwhere(~(close & same_nan))[0])
                return f"{where}{list(i)}: {a[i]!r} != {b[i]!r}"
            return None
        if set(committed) != set(regenerated):
            return f"{where}: keys {sorted(set(committed) ^ set(regenerated))} differ"
        for k in committed:
            found = fixture_difference(committed[k], regenerated[k], f"{where}/{k}", rtol)
            if found:
                return found
        return None
    if isinstance(committed, list) and isinstance(regenerated, list):
        if len(committed) != len(regenerated):
            return f"{where}: {len(committed)} items != {len(regenerated)}"
        for i, (a, b) in enumerate(zip(committed, regenerated)):
            found = fixture_difference(a, b, f"{where}[{i}]", rtol)
            if found:
                return found
        return None
    if type(committed) is float or type(regenerated) is float:
        if isinstance(committed, (int, float)) and isinstance(regenerated, (int, float)) \
                and np.isclose(committed, regenerated, rtol=rtol, atol=0.0):
            return None
        return f"{where}: {committed!r} != {regenerated!r}"
    return None if committed == regenerated and type(committed) is type(regenerated) else \
        f"{where}: {committed!r} != {regenerated!r}"


@lru_cache(maxsize=None)
def _fixture_file(exercise: str) -> dict:
    path = FIXTURES / f"{exercise}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def public_cases(spec: CaseSpec) -> list[Case]:
    """The public fixture's cases of ``spec``, read once a process (as the file is): every submission
    graded here gets the same objects, whose arrays are read-only (a check that changed one in place
    would change the next submission's case: it raises instead)."""
    return list(_public_cases(spec.key))


@lru_cache(maxsize=None)
def _public_cases(key: str) -> tuple[Case, ...]:
    exercise = key.split(".")[0]
    try:
        raw = _fixture_file(exercise)["cases"][key]
    except (FileNotFoundError, KeyError):
        raise RuntimeError(f"no public fixture for {key}; run `grader fixtures {exercise}`") from None
    return tuple(Case(_frozen(from_json(c["inputs"])), _frozen(from_json(c["accepted"])),
                      _frozen(from_json(c["variants"]))) for c in raw)


def _frozen(value):
    """``value`` with every array in it made read-only (in place); returns it."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (list, tuple)):
        for v in value:
            _frozen(v)
    elif isinstance(value, dict):
        for v in value.values():
            _frozen(v)
    return value


# ------------------------------------------------------------------ a property check's own draws
#: the inputs asked so far while ``grader fixtures`` runs a check on the reference to find what it asks
#: (:func:`autograder.reference_cases.asked`); None otherwise
_recording: list | None = None


def reference_case(spec: CaseSpec, inputs: dict) -> Case:
    """The reference's outputs (and its known mistakes') on inputs a property check drew itself.

    On the public check's draws they come from the public fixture (``spec.asked_by`` names the check);
    on any other draw (another seed, as tests use) the reference computes them, which only the
    instructor install can do."""
    if _recording is None:
        for case in _fixture_cases(spec):
            if same_inputs(case.inputs, inputs):
                return case
    try:
        from .reference_cases import reference_case as compute
    except ModuleNotFoundError:
        raise RuntimeError(f"no public fixture for these inputs of {spec.key}; "
                           f"run `grader fixtures {spec.key.split('.')[0]}`") from None
    return compute(spec, inputs)


def _fixture_cases(spec: CaseSpec) -> list[Case]:
    try:
        return public_cases(spec)
    except RuntimeError:  # no fixture for this spec (yet): nothing to find
        return []


def same_inputs(a: dict, b: dict) -> bool:
    """The same inputs: equal keys (metadata "_…" aside) and values, arrays equal in shape and every entry."""
    keys = {k for k in a if not k.startswith("_")}
    return keys == {k for k in b if not k.startswith("_")} and all(_same(a[k], b[k]) for k in keys)


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)  # a NumPy scalar comes back from JSON as a 0-d array
        return a.shape == b.shape and bool(np.array_equal(a, b))
    return type(a) is type(b) and a == b


class CaseSource:
    """Cases for a spec: public ones from fixtures, hidden ones drawn live (memoised per run)."""

    def __init__(self, key: str | None = None):
        """``key``: the hidden checks' key (default: :func:`hidden_key`, read when first needed)."""
        self.key = key
        self._hidden: dict[str, list[Case]] = {}

    def __call__(self, spec: CaseSpec, hidden: bool) -> list[Case]:
        if not hidden:
            return public_cases(spec)
        if spec.key not in self._hidden:
            self._hidden[spec.key] = live_cases(spec, self.key or hidden_key())
        return self._hidden[spec.key]
