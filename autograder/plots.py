"""Feedback plots as inline SVG (no plotting library): learning curves and decision boundaries.

Inputs are the plain data that checks attach to a result (``ExerciseResult.extras``):

* ``learning_curve``: {"loss": [float per epoch], "val_loss": [...]} (either may be missing);
* ``decision_boundary``: {"x": [nx grid xs], "y": [ny grid ys], "labels": [[ny × nx class]],
  "points": [[x, y], …], "point_labels": [true class], "predicted": [predicted class]}.
"""
from __future__ import annotations

import math
from html import escape

W, H, PAD = 480, 300, 40
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
LIGHT = ("#c6dbef", "#fdd0a2", "#c7e9c0", "#fcbba1", "#dadaeb", "#d9c5b6", "#f7c6e2", "#d9d9d9", "#e5e5a5", "#bfe9ef")


def _scale(lo, hi, a, b):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def learning_curve_svg(curve: dict, title: str = "loss per epoch") -> str:
    series = [(name, [float(v) for v in curve.get(name, []) if math.isfinite(float(v))]) for name in ("loss", "val_loss")]
    series = [(n, v) for n, v in series if v]
    if not series:
        return ""
    n = max(len(v) for _, v in series)
    lo = min(min(v) for _, v in series)
    hi = max(max(v) for _, v in series)
    sx = _scale(0, max(n - 1, 1), PAD, W - 10)
    sy = _scale(lo, hi, H - PAD, 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{escape(title)}">',
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="12">{escape(title)}</text>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
             f'<line x1="{PAD}" y1="20" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
             f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle" font-size="11">epoch (1–{n})</text>',
             f'<text x="4" y="{H - PAD}" font-size="10">{lo:.3g}</text><text x="4" y="24" font-size="10">{hi:.3g}</text>']
    for i, (name, values) in enumerate(series):
        pts = " ".join(f"{sx(j):.1f},{sy(v):.1f}" for j, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{COLORS[i]}" stroke-width="2" points="{pts}"/>')
        parts.append(f'<text x="{W - 120}" y="{34 + 14 * i}" font-size="11" fill="{COLORS[i]}">'
                     f'{"training" if name == "loss" else "validation"} loss</text>')
    parts.append("</svg>")
    return "".join(parts)


def decision_boundary_svg(data: dict, title: str = "decision boundary and test points") -> str:
    xs, ys, grid = data["x"], data["y"], data["labels"]
    if not xs or not ys:
        return ""
    sx = _scale(xs[0], xs[-1], PAD, W - 10)
    sy = _scale(ys[0], ys[-1], H - PAD, 20)
    cw = (W - 10 - PAD) / max(len(xs) - 1, 1)
    ch = (H - PAD - 20) / max(len(ys) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{escape(title)}">',
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="12">{escape(title)}</text>']
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


def plots_html(extras: dict) -> str:
    """The plots a result's extras call for, as HTML figures ('' when there are none)."""
    figures = []
    if extras.get("learning_curve"):
        figures.append(learning_curve_svg(extras["learning_curve"]))
    if extras.get("decision_boundary"):
        figures.append(decision_boundary_svg(extras["decision_boundary"]))
    return "".join(f"<figure>{f}</figure>" for f in figures if f)
