"""Feedback plots as inline SVG (no plotting library): learning curves with a bias/variance
diagnosis, and decision boundaries. Pure Python: ``grader check`` of a NumPy exercise may import it.

Inputs are the plain data that public checks attach to a result (``ExerciseResult.extras``, stored
in the result's JSON; hidden checks never attach):

* ``learning_curve``: Keras' ``History.history`` shape, one value per epoch::

      {"loss": [float], "val_loss": [float], "accuracy": [float], "val_accuracy": [float],
       "threshold": float}

  any subset of the four curves (older records hold only ``loss``/``val_loss``). ``threshold``
  (optional, a number in (0, 1]) is the exercise's accuracy threshold: the underfitting rule of
  :func:`autograder.diagnosis.diagnose` compares the final training accuracy with it, and the
  accuracy plot draws it. ex7 attaches the curves of the grader's own ``model.fit`` (its public
  accuracy check; ``threshold`` 0.90); ex6 attaches the history the student's ``train`` returned
  (public make_moons run; ``threshold`` 0.92; docs/contract-ex6-history.md).
  The numbers come from the student's process, so they are cleaned where they are attached
  (:func:`clean_curve`: at most :data:`MAX_EPOCHS` values per curve, finite floats only,
  non-finite and non-numeric values dropped) and again here before drawing.
* ``decision_boundary``: {"x": [nx grid xs], "y": [ny grid ys], "labels": [[ny × nx class]],
  "points": [[x, y], …], "point_labels": [true class], "predicted": [predicted class]}.

Every text is chosen in the page's language (English or Spanish) when the page is rendered, and
every text and attribute value is HTML-escaped.
"""
from __future__ import annotations

import math

from .diagnosis import MAX_GAP, MIN_EPOCHS, MIN_LOSS_DROP, RISE_EPOCHS, VAL_RISE, VAL_RISE_ABS, Diagnosis, diagnose
from .messages import Text
from .sanitize import html as _esc

W, H, PAD = 480, 300, 40
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
LIGHT = ("#c6dbef", "#fdd0a2", "#c7e9c0", "#fcbba1", "#dadaeb", "#d9c5b6", "#f7c6e2", "#d9d9d9", "#e5e5a5", "#bfe9ef")
#: the most values kept per curve (epochs)
MAX_EPOCHS = 500
#: the curves a learning curve may hold, in Keras' names
CURVE_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy")

TEXTS = {
    "loss_title": Text("Loss per epoch", "Pérdida por época"),
    "accuracy_title": Text("Accuracy per epoch", "Exactitud por época"),
    "loss": Text("training loss", "pérdida de entrenamiento"),
    "val_loss": Text("validation loss", "pérdida de validación"),
    "accuracy": Text("training accuracy", "exactitud de entrenamiento"),
    "val_accuracy": Text("validation accuracy", "exactitud de validación"),
    "epoch": Text("epoch ({first}–{last})", "época ({first}–{last})"),
    "best": Text("best epoch {epoch}", "mejor época {epoch}"),
    "threshold": Text("threshold {thr:g}", "umbral {thr:g}"),
    "boundary_title": Text("decision boundary and test points", "frontera de decisión y puntos de test"),
    "heading": Text("Learning curves: bias and variance", "Curvas de aprendizaje: sesgo y varianza"),
    # the diagnosis
    "underfitting": Text("Diagnosis: high bias / underfitting.", "Diagnóstico: sesgo alto / subajuste."),
    "overfitting": Text("Diagnosis: high variance / overfitting.", "Diagnóstico: varianza alta / sobreajuste."),
    "fine": Text("Diagnosis: fine — neither underfitting nor overfitting by the rules below.",
                 "Diagnóstico: bien — ni subajuste ni sobreajuste según las reglas de abajo."),
    "none": Text("No diagnosis: too few epochs ({n}; at least {min} are needed).",
                 "Sin diagnóstico: muy pocas épocas ({n}; hacen falta al menos {min})."),
    "train_accuracy_low": Text(
        "The training accuracy at the last epoch is {acc:.3f}, below the threshold {thr:g} the test data must "
        "reach: the network does not even fit the data it trains on.",
        "La exactitud de entrenamiento en la última época es {acc:.3f}, por debajo del umbral {thr:g} que hay que "
        "alcanzar en test: la red ni siquiera se ajusta a los datos con los que entrena."),
    "train_loss_flat": Text(
        "The training loss went from {first:.4g} to {last:.4g} over {n} epochs: a fall of {drop:.1%}.",
        "La pérdida de entrenamiento pasó de {first:.4g} a {last:.4g} en {n} épocas: una bajada del {drop:.1%}."),
    "val_loss_rise": Text(
        "The validation loss was lowest at epoch {best} ({vbest:.4g}) and ended {k} epochs later at {vend:.4g}, "
        "{rise:.0%} higher.",
        "La pérdida de validación fue mínima en la época {best} ({vbest:.4g}) y terminó {k} épocas después en "
        "{vend:.4g}, un {rise:.0%} más alta."),
    "accuracy_gap": Text(
        "At the best epoch ({best}) the training accuracy is {acc:.3f} and the validation accuracy {vacc:.3f}: "
        "a gap of {gap:.3f}.",
        "En la mejor época ({best}) la exactitud de entrenamiento es {acc:.3f} y la de validación {vacc:.3f}: "
        "una diferencia de {gap:.3f}."),
    "no_validation": Text(
        "There is no validation curve, so overfitting cannot be judged: hold out a validation part and record "
        "val_loss (and val_accuracy) each epoch.",
        "No hay curva de validación, así que no se puede juzgar el sobreajuste: aparta una parte de validación y "
        "registra val_loss (y val_accuracy) en cada época."),
    "advice_underfitting": Text(
        "What to try: a larger network (more units or layers), more epochs, a higher learning rate, less "
        "regularisation (a smaller λ, less dropout).",
        "Qué probar: una red más grande (más unidades o capas), más épocas, una tasa de aprendizaje mayor, menos "
        "regularización (un λ menor, menos dropout)."),
    "advice_overfitting": Text(
        "What to try: more regularisation (L2, dropout), early stopping (keep the weights of the epoch with the "
        "lowest validation loss), more training data.",
        "Qué probar: más regularización (L2, dropout), parada temprana (quédate con los pesos de la época con la "
        "menor pérdida de validación), más datos de entrenamiento."),
    "advice_fine": Text("Nothing to change.", "No hace falta cambiar nada."),
    "figures": Text("Figures: ", "Cifras: "),
    "f_epochs": Text("{n} epochs", "{n} épocas"),
    "f_best": Text("best epoch {best} (lowest validation loss)", "mejor época {best} (menor pérdida de validación)"),
    "f_best_train": Text("lowest training loss at epoch {best}", "menor pérdida de entrenamiento en la época {best}"),
    "f_loss": Text("training loss {a:.4g} at the best epoch, {b:.4g} at the end",
                   "pérdida de entrenamiento {a:.4g} en la mejor época, {b:.4g} al final"),
    "f_val_loss": Text("validation loss {a:.4g} at the best epoch, {b:.4g} at the end",
                       "pérdida de validación {a:.4g} en la mejor época, {b:.4g} al final"),
    "f_accuracy": Text("training accuracy {a:.3f} at the best epoch, {b:.3f} at the end",
                       "exactitud de entrenamiento {a:.3f} en la mejor época, {b:.3f} al final"),
    "f_val_accuracy": Text("validation accuracy {a:.3f} at the best epoch, {b:.3f} at the end",
                           "exactitud de validación {a:.3f} en la mejor época, {b:.3f} al final"),
    "f_gap": Text("gap {gap:.3f}", "diferencia {gap:.3f}"),
    "rules": Text(
        "The rules: high bias (underfitting) when the training accuracy at the last epoch is below {thr} (without an "
        "accuracy curve: when the training loss falls by less than {drop:.0%}); high variance (overfitting) when "
        "the validation loss ends at least {rise:.0%} and {abs:g} above its lowest value, reached at least {k} "
        "epochs before the end, or when training accuracy − validation accuracy at the best epoch is above "
        "{gap:g}; fine otherwise. At least {min} epochs are needed. The diagnosis is advice: it does not change "
        "your score.",
        "Las reglas: sesgo alto (subajuste) si la exactitud de entrenamiento en la última época está por debajo de "
        "{thr} (sin curva de exactitud: si la pérdida de entrenamiento baja menos de un {drop:.0%}); varianza alta "
        "(sobreajuste) si la pérdida de validación termina al menos un {rise:.0%} y {abs:g} por encima de su mínimo, "
        "alcanzado al menos {k} épocas antes del final, o si exactitud de entrenamiento − exactitud de validación "
        "en la mejor época supera {gap:g}; bien en otro caso. Hacen falta al menos {min} épocas. El diagnóstico es "
        "un consejo: no cambia tu nota."),
    "no_threshold": Text("the exercise's threshold", "el umbral del ejercicio"),
}


def esc(value) -> str:
    """``value`` as HTML text or a quoted attribute value (:func:`autograder.sanitize.html`)."""
    return _esc(value)


def _scale(lo, hi, a, b):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _finite(v) -> float | None:
    """``v`` as a finite float, or None (bools, strings, NaN, infinities, anything else)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        x = float(v)
    except (OverflowError, ValueError):
        return None
    return x if math.isfinite(x) else None


def clean_curve(raw, max_epochs: int = MAX_EPOCHS, threshold: float | None = None) -> dict:
    """A learning curve made safe to store and draw, from untrusted data (a submission's history).

    ``raw``: anything; a dict's ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy`` entries that
    are lists or tuples are kept, each reduced to its finite numbers (bools, strings, NaN and
    infinities dropped) and cut to its first ``max_epochs`` values; other keys are dropped, and
    curves left empty too. ``threshold`` (or ``raw["threshold"]`` when it is a number in (0, 1])
    is kept under ``"threshold"``. Returns ``{}`` when no curve is left.
    """
    if not isinstance(raw, dict):
        return {}
    curve: dict = {}
    for key in CURVE_KEYS:
        values = raw.get(key)
        if not isinstance(values, (list, tuple)):
            continue
        kept = []
        for v in values[:max(0, 4 * max_epochs)]:  # a bounded look: non-numbers beyond are not read
            x = _finite(v)
            if x is not None:
                kept.append(x)
                if len(kept) == max_epochs:
                    break
        if kept:
            curve[key] = kept
    if not curve:
        return {}
    thr = _finite(threshold if threshold is not None else raw.get("threshold"))
    if thr is not None and 0 < thr <= 1:
        curve["threshold"] = thr
    return curve


def _best_epoch(curve: dict) -> int | None:
    """0-based index of the lowest validation loss (None without a validation loss curve)."""
    val = curve.get("val_loss")
    return min(range(len(val)), key=val.__getitem__) if val else None


def learning_curve_svg(curve: dict, title: str | None = None, *, lang: str = "en", metric: str = "loss") -> str:
    """One plot of a learning curve (``metric`` "loss": training and validation loss; "accuracy":
    training and validation accuracy, and the threshold when the curve carries one), as an ``<svg>``
    element; ``""`` when the curve has neither series. Axes with their range, a legend, the epoch
    range, and the best validation epoch (lowest validation loss) marked by a dashed vertical line
    (``class="best-epoch"``) and a dot on the validation curve. ``title`` defaults to the metric's
    title in ``lang``; every text is escaped."""
    curve = clean_curve(curve)
    keys = ("loss", "val_loss") if metric == "loss" else ("accuracy", "val_accuracy")
    series = [(k, curve[k]) for k in keys if k in curve]
    if not series:
        return ""
    if title is None:
        title = TEXTS[f"{metric}_title"](lang)
    n = max(len(v) for _, v in series)
    values = [x for _, v in series for x in v]
    lo, hi = min(values), max(values)
    thr = curve.get("threshold") if metric == "accuracy" else None
    if thr is not None:
        lo, hi = min(lo, thr), max(hi, thr)
    if metric == "accuracy":
        lo, hi = min(lo, 1.0), max(hi, 0.0)  # lo ≤ hi also for one flat value
    right, top, bottom = W - 10, 24, H - PAD
    sx = _scale(0, max(n - 1, 1), PAD, right)
    sy = _scale(lo, hi, bottom, top)
    t = esc(title)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{t}" '
             f'class="learning-curve {esc(metric)}">',
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="12">{t}</text>',
             f'<line x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
             f'<line x1="{PAD}" y1="{top}" x2="{PAD}" y2="{bottom}" stroke="#333"/>',
             f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle" font-size="11">'
             f'{esc(TEXTS["epoch"](lang, first=1, last=n))}</text>',
             f'<text x="{PAD}" y="{bottom + 12}" text-anchor="middle" font-size="10">1</text>',
             f'<text x="{right}" y="{bottom + 12}" text-anchor="end" font-size="10">{n}</text>',
             f'<text x="{PAD - 3}" y="{bottom}" text-anchor="end" font-size="10">{lo:.3g}</text>',
             f'<text x="{PAD - 3}" y="{top + 8}" text-anchor="end" font-size="10">{hi:.3g}</text>']
    if thr is not None:
        parts.append(f'<line class="threshold" x1="{PAD}" y1="{sy(thr):.1f}" x2="{right}" y2="{sy(thr):.1f}" '
                     f'stroke="#888" stroke-dasharray="2,3"/>')
        parts.append(f'<text x="{PAD + 4}" y="{sy(thr) - 3:.1f}" font-size="10" fill="#666">'
                     f'{esc(TEXTS["threshold"](lang, thr=thr))}</text>')
    best = _best_epoch(curve)
    if best is not None and best < n:
        x = sx(best)
        parts.append(f'<line class="best-epoch" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#555" '
                     f'stroke-dasharray="4,3"/>')
        anchor = "start" if x < W / 2 else "end"
        parts.append(f'<text x="{x + (4 if anchor == "start" else -4):.1f}" y="{bottom - 6}" text-anchor="{anchor}" '
                     f'font-size="10" fill="#555">{esc(TEXTS["best"](lang, epoch=best + 1))}</text>')
    for i, (name, vals) in enumerate(series):
        color = COLORS[i]
        pts = " ".join(f"{sx(j):.1f},{sy(v):.1f}" for j, v in enumerate(vals))
        dash = ' stroke-dasharray="6,3"' if name.startswith("val_") else ""
        parts.append(f'<polyline class="{esc(name)}" fill="none" stroke="{color}" stroke-width="2"{dash} '
                     f'points="{pts}"/>')
        if name.startswith("val_") and best is not None and best < len(vals):
            parts.append(f'<circle class="best-point" cx="{sx(best):.1f}" cy="{sy(vals[best]):.1f}" r="3.5" '
                         f'fill="{color}"/>')
        parts.append(f'<text x="{right - 150}" y="{top + 12 + 14 * i}" font-size="11" fill="{color}">'
                     f'{esc(TEXTS[name](lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _figures(d: Diagnosis, lang: str) -> str:
    items = [TEXTS["f_epochs"](lang, n=d.epochs)]
    if d.val_loss_best is not None:
        items.append(TEXTS["f_best"](lang, best=d.best_epoch))
    elif d.best_epoch is not None:
        items.append(TEXTS["f_best_train"](lang, best=d.best_epoch))
    for key, best, end in (("f_loss", d.loss_best, d.loss_end), ("f_val_loss", d.val_loss_best, d.val_loss_end),
                           ("f_accuracy", d.accuracy_best, d.accuracy_end),
                           ("f_val_accuracy", d.val_accuracy_best, d.val_accuracy_end)):
        if best is not None and end is not None:
            items.append(TEXTS[key](lang, a=best, b=end))
    if d.gap is not None:
        items.append(TEXTS["f_gap"](lang, gap=d.gap))
    return TEXTS["figures"](lang) + "; ".join(items) + "."


def diagnosis_html(d: Diagnosis, lang: str = "en") -> str:
    """The diagnosis in words (``lang``): what it is, the rule's figures, what to try, the figures
    it used and the rules with their thresholds; ``""`` when there is no training curve at all."""
    if d.rule == "no_training_curve":
        return ""
    thr = f"{d.threshold:g}" if d.threshold is not None else TEXTS["no_threshold"](lang)
    rules = TEXTS["rules"](lang, thr=thr, drop=MIN_LOSS_DROP, rise=VAL_RISE, abs=VAL_RISE_ABS, k=RISE_EPOCHS,
                           gap=MAX_GAP, min=MIN_EPOCHS)
    if d.kind is None:
        lines = [TEXTS["none"](lang, n=d.epochs, min=MIN_EPOCHS)]
    else:
        lines = [TEXTS[d.kind](lang)]
        if d.rule == "train_accuracy_low":
            lines.append(TEXTS[d.rule](lang, acc=d.accuracy_end, thr=d.threshold))
        elif d.rule == "train_loss_flat":
            lines.append(TEXTS[d.rule](lang, drop=d.loss_drop, n=d.epochs, first=d.loss_first, last=d.loss_end))
        elif d.rule == "val_loss_rise":
            lines.append(TEXTS[d.rule](lang, best=d.best_epoch, vbest=d.val_loss_best, k=d.epochs - d.best_epoch,
                                       vend=d.val_loss_end, rise=d.val_rise))
        elif d.rule == "accuracy_gap":
            lines.append(TEXTS[d.rule](lang, best=d.best_epoch, acc=d.accuracy_best, vacc=d.val_accuracy_best,
                                       gap=d.gap))
        elif d.rule == "no_validation":
            lines.append(TEXTS[d.rule](lang))
        lines.append(TEXTS[f"advice_{d.kind}"](lang))
        lines.append(_figures(d, lang))
    body = "".join(f"<p>{esc(line)}</p>" for line in lines)
    return (f'<div class="diagnosis {esc(d.kind or "none")}">{body}'
            f'<p class="note">{esc(rules)}</p></div>')


def learning_curves_html(curve: dict, lang: str = "en") -> str:
    """The learning-curve section of a feedback page: a heading, the loss plot, the accuracy plot
    (when the curve has accuracy) and the diagnosis; ``""`` when the curve has nothing to draw."""
    curve = clean_curve(curve)
    plots = [learning_curve_svg(curve, lang=lang, metric=m) for m in ("loss", "accuracy")]
    figures = "".join(f"<figure>{p}</figure>" for p in plots if p)
    if not figures:
        return ""
    return (f'<section class="learning-curves"><h2>{esc(TEXTS["heading"](lang))}</h2>{figures}'
            f"{diagnosis_html(diagnose(curve), lang)}</section>")


def decision_boundary_svg(data: dict, title: str | None = None, *, lang: str = "en") -> str:
    if title is None:
        title = TEXTS["boundary_title"](lang)
    xs, ys, grid = data["x"], data["y"], data["labels"]
    if not xs or not ys:
        return ""
    sx = _scale(xs[0], xs[-1], PAD, W - 10)
    sy = _scale(ys[0], ys[-1], H - PAD, 20)
    cw = (W - 10 - PAD) / max(len(xs) - 1, 1)
    ch = (H - PAD - 20) / max(len(ys) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{esc(title)}">',
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="12">{esc(title)}</text>']
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            label = int(grid[j][i]) % len(LIGHT)
            parts.append(f'<rect x="{sx(x) - cw / 2:.1f}" y="{sy(y) - ch / 2:.1f}" width="{cw + 0.5:.1f}" '
                         f'height="{ch + 0.5:.1f}" fill="{LIGHT[label]}"/>')
    for (x, y), true, pred in zip(data["points"], data["point_labels"], data["predicted"]):
        color = COLORS[int(true) % len(COLORS)]
        if int(true) == int(pred):
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}"/>')
        else:  # misclassified: a cross
            cx, cy = sx(x), sy(y)
            parts.append(f'<path d="M{cx - 3:.1f},{cy - 3:.1f}L{cx + 3:.1f},{cy + 3:.1f}M{cx - 3:.1f},{cy + 3:.1f}'
                         f'L{cx + 3:.1f},{cy - 3:.1f}" stroke="{color}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def plots_html(extras: dict, lang: str = "en") -> str:
    """The plots a result's extras call for, in ``lang``, as HTML ('' when there are none): the
    learning curves with their diagnosis, then the decision boundary."""
    parts = []
    if extras.get("learning_curve"):
        parts.append(learning_curves_html(extras["learning_curve"], lang))
    if extras.get("decision_boundary"):
        svg = decision_boundary_svg(extras["decision_boundary"], lang=lang)
        if svg:
            parts.append(f"<figure>{svg}</figure>")
    return "".join(p for p in parts if p)
