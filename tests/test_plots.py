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
