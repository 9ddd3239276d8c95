"""Bias and variance from a learning curve: underfitting, overfitting or fine (feedback only).

One pure function, :func:`diagnose`, reads a learning curve in Keras' ``History.history`` shape
(``{"loss": [float per epoch], "val_loss": [...], "accuracy": [...], "val_accuracy": [...]}``,
any subset, one value per epoch; see :mod:`autograder.plots` for where curves come from) and
returns a :class:`Diagnosis`: the kind, the figures it used and the rule that fired. Nothing here
renders text (:func:`autograder.plots.diagnosis_html` does) and nothing here changes a score: the
diagnosis is advice on the feedback page.

Kinds (the course's vocabulary: high bias / underfitting, high variance / overfitting):

* ``None`` — not enough data: no training loss curve, or fewer than :data:`MIN_EPOCHS` (3) epochs.
* ``"underfitting"`` (high bias), tested first, as the lecture fixes bias before variance:
  - ``train_accuracy_low``: the training accuracy at the last epoch is below ``threshold`` (the
    exercise's accuracy threshold: a model that cannot reach it on the data it trains on cannot
    reach it on the test data either);
  - ``train_loss_flat`` (no training accuracy curve): the training loss fell by less than
    :data:`MIN_LOSS_DROP` (10 %) from the first epoch to the last.
* ``"overfitting"`` (high variance), needs a validation curve:
  - ``val_loss_rise``: the validation loss at the last epoch is at least :data:`VAL_RISE`
    (30 %) and :data:`VAL_RISE_ABS` (0.02) above its minimum, and that minimum came at least
    :data:`RISE_EPOCHS` (3) epochs before the end;
  - ``accuracy_gap``: training accuracy − validation accuracy at the best epoch (the epoch of
    the lowest validation loss) is above :data:`MAX_GAP` (0.10).
* ``"fine"`` — none of these (rule ``none``; ``no_validation`` when there is no validation
  curve, so overfitting could not be judged).

Why these numbers (``bench/ex6_history.py``: data seeds 0–199 for the solution, 0–19 for the
other models, training seeds 100000 + data seed; each curve is the one a feedback page would draw,
threshold 0.92):

* ex6's solution (64 ReLU units, L2 1e-4, Adam, 20 % of the training data held out, early
  stopping with patience 10, so each curve ends 10 epochs after its best): make_moons 199 of 200
  "fine" (validation-loss rise max 0.349, accuracy gap at the best epoch −0.032…0.078 on 100
  validation points, final training accuracy ≥ 0.938); 8×8 digits 198 of 200 "fine" (rise max
  0.375, gap 0.000…0.059, final training accuracy 1.000). The 3 of 400 flagged are rises of
  0.30–0.38 in the 10 epochs after the best one. The first guesses (10 % rise, 0.05 gap; patience 20)
  flagged 20 of 200 moons runs: a 100-point validation loss wobbles by tens of percent and its
  accuracy by ±0.02–0.04, so 30 % and 0.10 are what sits above the solution's noise.
* Deliberately overfitting (the solution's train with 512 units, no L2, learning rate 0.05, 300
  epochs, no early stopping), trained on 30 % of the examples: make_moons 20 of 20 "overfitting"
  (rise 0.41–4.96), digits 16 of 20 (rise 0.13–0.79); on 10 % of the examples: digits 20 of 20
  (15 by the rise, 5 by a gap of 0.08–0.18), make_moons 11 of 20 (50 points: some runs never
  turn up). The misses are runs whose validation loss rose by 13–29 %: the rules err towards "fine".
* Deliberately underfitting: softmax regression on make_moons, 20 of 20 "underfitting" (final
  training accuracy 0.843–0.895 < 0.92); the solution's network with a learning rate of 1e-5 for
  30 epochs, 20 of 20 on both data sets (training accuracy ≤ 0.70, loss falls 1.6–5 %). Softmax
  regression on the digits is "fine" (training accuracy ≥ 0.985: it does fit them, as its 0.96
  test accuracy says).
* ex7's solution (Keras: BatchNormalization, Dropout 0.2, L2 1e-4, EarlyStopping patience 8) on
  its public seed: "fine" (15 epochs, best epoch 7, rise 0.262, gap 0.029, final training
  accuracy 0.995). One seed only (a Keras training costs ~25 s here): its rise sits close to the
  30 % line, so an ex7 run flagged "overfitting" by the rise alone is a mild case.

The absolute floor :data:`VAL_RISE_ABS` keeps a tiny validation loss (0.01 on easy data) from
reading as overfitting when it wobbles by a few thousandths. The rules use the numbers as
given: a curve that holds NaN, infinities or non-numbers should be cleaned first
(:func:`autograder.plots.clean_curve` does, where curves are attached).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

#: fewer epochs than this: no diagnosis
MIN_EPOCHS = 3
#: underfitting without an accuracy curve: the training loss fell by less than this fraction
MIN_LOSS_DROP = 0.10
#: overfitting: the last validation loss is this fraction above its minimum …
VAL_RISE = 0.30
#: … and at least this much above it in absolute terms …
VAL_RISE_ABS = 0.02
#: … and the minimum came this many epochs (or more) before the last one
RISE_EPOCHS = 3
#: overfitting: training accuracy − validation accuracy at the best epoch above this
MAX_GAP = 0.10

KINDS = ("underfitting", "overfitting", "fine")
RULES = ("too_short", "no_training_curve", "train_accuracy_low", "train_loss_flat", "val_loss_rise",
         "accuracy_gap", "no_validation", "none")


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found. Epochs are counted from 1, as Keras prints them.

    ``kind``: "underfitting", "overfitting", "fine", or None (not enough data); ``rule``: the rule
    that decided (one of :data:`RULES`); ``epochs``: the length of the training loss curve;
    ``best_epoch``: the epoch of the lowest validation loss (of the lowest training loss when there
    is no validation curve); the losses and accuracies at that epoch and at the last one (None where
    the curve is missing), and the training loss at the first epoch (``loss_first``); ``gap``:
    training − validation accuracy at the best epoch; ``val_rise``: (last − lowest validation loss) /
    lowest; ``loss_drop``: (first − last training loss) / first; ``threshold``: the accuracy the underfitting rule compared with (None: none given).
    """

    kind: str | None
    rule: str
    epochs: int = 0
    best_epoch: int | None = None
    loss_first: float | None = None
    loss_best: float | None = None
    loss_end: float | None = None
    val_loss_best: float | None = None
    val_loss_end: float | None = None
    accuracy_best: float | None = None
    accuracy_end: float | None = None
    val_accuracy_best: float | None = None
    val_accuracy_end: float | None = None
    gap: float | None = None
    val_rise: float | None = None
    loss_drop: float | None = None
    threshold: float | None = None


def _series(curve, key) -> list[float] | None:
    values = curve.get(key) if isinstance(curve, dict) else None
    if not isinstance(values, (list, tuple)):
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return None  # not a clean curve: better no figure than a wrong one
        out.append(float(v))
    return out or None


def _at(values, i):
    return values[i] if values is not None and i < len(values) else None


def diagnose(curve: dict, threshold: float | None = None) -> Diagnosis:
    """Underfitting, overfitting or fine, from a learning curve (rules and thresholds: module docstring).

    ``curve``: ``{"loss": [n floats], "val_loss": [...], "accuracy": [...], "val_accuracy": [...]}``,
    any subset; a series that is not a list of finite numbers counts as missing. ``threshold``: the
    exercise's accuracy threshold for the underfitting rule (None: only the loss rule applies); when
    omitted, ``curve["threshold"]`` is used if it is a number in (0, 1].
    """
    if threshold is None and isinstance(curve, dict):
        raw = curve.get("threshold")
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw <= 1:
            threshold = float(raw)
    loss = _series(curve, "loss")
    if loss is None:
        return Diagnosis(None, "no_training_curve", threshold=threshold)
    n = len(loss)
    if n < MIN_EPOCHS:
        return Diagnosis(None, "too_short", epochs=n, threshold=threshold)
    val_loss, acc, val_acc = (_series(curve, k) for k in ("val_loss", "accuracy", "val_accuracy"))
    if val_loss is not None:
        val_loss = val_loss[:n]
        best = min(range(len(val_loss)), key=val_loss.__getitem__)
    else:
        best = min(range(n), key=loss.__getitem__)
    first = loss[0]
    loss_drop = (first - loss[-1]) / first if first > 0 else None
    val_rise = None
    if val_loss is not None and val_loss[best] > 0:
        val_rise = (val_loss[-1] - val_loss[best]) / val_loss[best]
    gap = None
    if _at(acc, best) is not None and _at(val_acc, best) is not None:
        gap = acc[best] - val_acc[best]
    figures = dict(
        epochs=n, best_epoch=best + 1, loss_first=first, loss_best=_at(loss, best), loss_end=loss[-1],
        val_loss_best=_at(val_loss, best), val_loss_end=None if val_loss is None else val_loss[-1],
        accuracy_best=_at(acc, best), accuracy_end=None if acc is None else acc[-1],
        val_accuracy_best=_at(val_acc, best), val_accuracy_end=None if val_acc is None else val_acc[-1],
        gap=gap, val_rise=val_rise, loss_drop=loss_drop, threshold=threshold)
    if acc is not None and threshold is not None and acc[-1] < threshold:
        return Diagnosis("underfitting", "train_accuracy_low", **figures)
    if acc is None and loss_drop is not None and loss_drop < MIN_LOSS_DROP:
        return Diagnosis("underfitting", "train_loss_flat", **figures)
    if val_loss is None:
        return Diagnosis("fine", "no_validation", **figures)
    if (val_rise is not None and val_rise >= VAL_RISE and val_loss[-1] - val_loss[best] >= VAL_RISE_ABS
            and len(val_loss) - 1 - best >= RISE_EPOCHS):
        return Diagnosis("overfitting", "val_loss_rise", **figures)
    if gap is not None and gap > MAX_GAP:
        return Diagnosis("overfitting", "accuracy_gap", **figures)
    return Diagnosis("fine", "none", **figures)
