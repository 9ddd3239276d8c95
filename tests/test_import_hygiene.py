"""Fast paths stay fast: the package and the CLI import neither TensorFlow nor nbgrader."""
import json
import subprocess
import sys

import pytest

HEAVY = ["tensorflow", "keras", "nbgrader", "torch", "sklearn"]

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _heavy_modules_after(body):
    out = subprocess.run([sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_heavy_libraries_are_installed_so_the_probe_means_something():
    import importlib.util

    assert importlib.util.find_spec("tensorflow") and importlib.util.find_spec("nbgrader")


@pytest.mark.parametrize("body", [
    "import autograder",
    "import autograder.cli, autograder.registry, autograder.results, autograder.render",
    "import reference_impl, reference_impl.keras_builders",
])
def test_imports_stay_light(body):
    assert _heavy_modules_after(body) == []


def test_grader_list_stays_light():
    body = ("from autograder.cli import main\n"
            "try:\n    main(['list'], standalone_mode=False)\nexcept SystemExit:\n    pass")
    assert _heavy_modules_after(body) == []


def test_grader_check_of_a_numpy_exercise_stays_light():
    from autograder import authoring

    solution = authoring.SOLUTIONS / "ex3_dropout.ipynb"
    body = ("from autograder.cli import main\n"
            "try:\n"
            f"    main(['check', 'ex3', {str(solution)!r}, '--json'], standalone_mode=False)\n"
            "except SystemExit as exc:\n"
            "    assert exc.code == 0, exc.code")
    assert _heavy_modules_after(body) == []
