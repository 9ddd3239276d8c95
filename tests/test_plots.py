"""Feedback plots: learning curves and decision boundaries drawn as inline SVG from attached data."""
import numpy as np

from autograder.checks import Check, Context
from autograder.feedback import feedback_html
from autograder.plots import decision_boundary_svg, learning_curve_svg


def test_learning_curve_has_one_line_per_series():
    svg = learning_curve_svg({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
    assert svg.startswith("<svg") and svg.count("<polyline") == 2
    assert "validation loss" in svg and "epoch (1–3)" in svg
    assert learning_curve_svg({}) == ""


def test_decision_boundary_draws_the_grid_and_marks_mistakes():
    xs, ys = [0.0, 1.0, 2.0], [0.0, 1.0]
    data = {"x": xs, "y": ys, "labels": [[0, 0, 1], [0, 1, 1]],
            "points": [[0.1, 0.2], [1.9, 0.8], [1.0, 0.5]], "point_labels": [0, 1, 0], "predicted": [0, 1, 1]}
    svg = decision_boundary_svg(data)
    assert svg.count("<rect") == 6 and svg.count("<circle") == 2 and svg.count("<path") == 1


def test_feedback_page_shows_attached_plots():
    record = {"exercise": "ex7", "student": "ana", "path": "x", "score": 1.0, "max_score": 15.0, "error": None,
              "checks": [{"name": "c", "points": 1.0, "max_points": 1.0, "passed": True, "hidden": False, "message": "ok"}],
              "extras": {"learning_curve": {"loss": [1.0, 0.4], "val_loss": [1.2, 0.9]}}}
    page = feedback_html(record, "en")
    assert "<svg" in page and page.count("<polyline") == 2


def test_hidden_checks_cannot_attach_data():
    extras = {}
    hidden = Context(None, Check("h", 1, lambda c: None, (), hidden=True), hidden_key="k", lang="en",
                     case_source=None, mistakes={}, extras=extras)
    public = Context(None, Check("p", 1, lambda c: None, ()), hidden_key="k", lang="en",
                     case_source=None, mistakes={}, extras=extras)
    hidden.attach("decision_boundary", {"secret": np.arange(3).tolist()})
    public.attach("learning_curve", {"loss": [1.0]})
    assert extras == {"learning_curve": {"loss": [1.0]}}


def test_ex6_feedback_shows_the_decision_boundary_of_the_students_model():
    from autograder import authoring
    from autograder.grading import grade_file

    result = grade_file("ex6", authoring.SOLUTIONS / "ex6_train_numpy.ipynb", hidden=True, lang="en")
    boundary = result.extras["decision_boundary"]
    labels = np.array(boundary["labels"])
    assert labels.shape == (40, 40) and set(np.unique(labels)) == {0, 1}
    predicted, truth = np.array(boundary["predicted"]), np.array(boundary["point_labels"])
    assert np.mean(predicted == truth) >= 0.92  # the plot shows the model the accuracy check scored
    record = {**result.to_dict(), "student": "ana", "path": "x"}
    assert feedback_html(record, "en").count("<rect") >= 1600


# ------------------------------------------------------------------ learning curves in the History.history shape
from autograder.plots import MAX_EPOCHS, clean_curve, learning_curves_html, plots_html  # noqa: E402

FULL = {"loss": [0.9, 0.5, 0.3, 0.25, 0.2], "val_loss": [1.0, 0.6, 0.4, 0.45, 0.5],
        "accuracy": [0.5, 0.8, 0.9, 0.93, 0.95], "val_accuracy": [0.5, 0.75, 0.88, 0.87, 0.86], "threshold": 0.92}


def test_loss_and_accuracy_plots_with_legend_axes_and_the_best_epoch():
    loss = learning_curve_svg(FULL)
    assert loss.count("<polyline") == 2 and 'class="loss"' in loss and 'class="val_loss"' in loss
    assert "training loss" in loss and "validation loss" in loss and "epoch (1–5)" in loss
    assert loss.count('class="best-epoch"') == 1 and "best epoch 3" in loss  # lowest validation loss: epoch 3
    assert 'class="best-point"' in loss
    accuracy = learning_curve_svg(FULL, metric="accuracy")
    assert accuracy.count("<polyline") == 2 and "training accuracy" in accuracy and "validation accuracy" in accuracy
    assert "best epoch 3" in accuracy and 'class="threshold"' in accuracy and "threshold 0.92" in accuracy
    assert learning_curve_svg({"loss": [1.0, 0.5]}, metric="accuracy") == ""  # no accuracy: no second plot


def test_learning_curves_section_has_both_plots_and_the_diagnosis():
    html = learning_curves_html(FULL, "en")
    assert html.count("<svg") == 2 and html.count("<figure>") == 2
    assert "Diagnosis:" in html and "The rules:" in html and "0.92" in html
    old = learning_curves_html({"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]}, "en")
    assert old.count("<svg") == 1 and "Diagnosis: fine" in old  # an old record: loss only


def test_spanish_labels_and_diagnosis():
    html = plots_html({"learning_curve": FULL}, "es")
    for text in ("Pérdida por época", "Exactitud por época", "pérdida de entrenamiento", "pérdida de validación",
                 "exactitud de entrenamiento", "exactitud de validación", "época (1–5)", "mejor época 3",
                 "umbral 0.92", "Diagnóstico", "Las reglas"):
        assert text in html, text
    for english in ("training loss", "validation", "best epoch", "Diagnosis"):
        assert english not in html, english


def test_hostile_titles_and_values_are_escaped_or_dropped():
    svg = learning_curve_svg({"loss": [1.0, "<script>alert(1)</script>", 0.5]}, title='<script>x</script>"\u202e')
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg and "\u202e" not in svg
    assert 'aria-label="&lt;script&gt;x&lt;/script&gt;&quot;"' in svg
    assert svg.count("<polyline") == 1
    page = plots_html({"learning_curve": {"loss": ["<b>", float("nan"), 1e400, None, True, 0.5, 0.4, 0.3],
                                          "val_loss": {"x": 1}, "threshold": "<i>"}}, "en")
    assert "<b>" not in page and "<i>" not in page
    points = [chunk.split('"')[0] for chunk in page.split('points="')[1:]]
    assert points and not any("nan" in p or "inf" in p for p in points)


def test_clean_curve_keeps_finite_floats_and_at_most_500_epochs():
    curve = clean_curve({"loss": [1, 0.5, float("nan"), float("inf"), "0.3", None, True, 0.2] + [0.1] * 1000,
                         "val_loss": "not a list", "accuracy": [], "other": [1, 2], "threshold": 0.9})
    assert set(curve) == {"loss", "threshold"} and curve["threshold"] == 0.9
    assert curve["loss"][:3] == [1.0, 0.5, 0.2] and len(curve["loss"]) == MAX_EPOCHS
    assert all(isinstance(v, float) for v in curve["loss"])
    assert clean_curve("nope") == {} and clean_curve({"loss": [float("nan")]}) == {}
    assert clean_curve({"loss": [1.0]}, threshold=2.0) == {"loss": [1.0]}  # a threshold outside (0, 1] is dropped
    assert learning_curve_svg({"loss": [0.5, 0.5, 0.5], "val_loss": [0.5, 0.5, 0.5]}).count("<polyline") == 2


def test_feedback_page_in_spanish_shows_curves_and_diagnosis():
    record = {"exercise": "ex7", "student": "ana", "path": "x", "score": 1.0, "max_score": 15.0, "error": None,
              "checks": [{"name": "c", "points": 1.0, "max_points": 1.0, "passed": True, "hidden": False, "message": "ok"}],
              "extras": {"learning_curve": FULL}}
    page = feedback_html(record, "es")
    assert page.count("<svg") == 2 and "Curvas de aprendizaje" in page and "Diagnóstico" in page
    assert page.count("<polyline") == 4
