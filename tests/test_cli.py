"""The `grader` command line: help, version, list, selfcheck, exit codes."""
import json

import pytest
from click.testing import CliRunner
from rich.console import Console

from autograder import __version__, registry
from autograder.cli import Context, main


@pytest.fixture
def runner():
    return CliRunner()


def test_help_lists_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "list" in result.output and "selfcheck" in result.output


@pytest.mark.parametrize("cmd", ["list", "selfcheck"])
def test_subcommand_help(runner, cmd):
    result = runner.invoke(main, [cmd, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_list_table_shows_every_exercise(runner):
    console = Console(width=200, record=True)
    result = runner.invoke(main, ["list"], obj=Context(console))
    assert result.exit_code == 0
    text = console.export_text()
    for ex in registry.EXERCISES:
        assert ex.id in text and ex.slug in text


def test_list_json_in_spanish(runner):
    result = runner.invoke(main, ["list", "--json", "--lang", "es"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [e.id for e in registry.EXERCISES]
    assert rows[2]["title"] == "Dropout invertido"


def test_grader_lang_env_selects_spanish(runner):
    result = runner.invoke(main, ["list", "--json"], env={"GRADER_LANG": "es"})
    assert json.loads(result.output)[0]["title"].startswith("Propagación")


def test_unknown_command_is_a_usage_error(runner):
    assert runner.invoke(main, ["nonsense"]).exit_code == 2


def test_selfcheck_json_full_marks(runner):
    result = runner.invoke(main, ["selfcheck", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["score"] == data["max_score"] >= 15
    assert data["error"] is None
    assert all(c["passed"] and c["points"] == c["max_points"] for c in data["checks"])
    assert set(data["checks"][0]) == {"id", "name", "titles", "points", "max_points", "passed", "hidden", "outcome",
                                      "mistakes", "message", "messages"}
    assert data["checks"][0]["id"].startswith("reference.") and data["checks"][0]["outcome"] == "passed"


def test_limits_reports_the_exercise_limits_and_the_measured_confinement(runner):
    numpy_ex = json.loads(runner.invoke(main, ["limits", "ex3", "--json"]).output)
    keras_ex = json.loads(runner.invoke(main, ["limits", "ex7", "--json"]).output)
    assert numpy_ex["limits"]["processes"] == 0 and numpy_ex["limits"]["packages"] == ["numpy"]
    assert keras_ex["limits"]["processes"] > 0 and keras_ex["limits"]["packages"] is None
    held = numpy_ex["confinement"]
    import os
    import sys

    if sys.platform.startswith("linux") and os.geteuid() == 0 and held.get("pid_ns"):
        assert held["mount_ns"] and held["read_only"] and held["capabilities_dropped"] and held["hidden"] > 0
    else:  # nothing claimed where nothing held
        assert not held.get("read_only") and not held.get("capabilities_dropped")
    text = runner.invoke(main, ["limits", "ex3"]).output
    assert "check_timeout_s" in text and "confinement" in text
