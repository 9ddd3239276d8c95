"""The course secret: no key ships, `grader init` makes one (owner-only), `grader grade` refuses
to grade without one, and the hidden inputs follow the key."""
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import secret
from autograder.cases import CaseSource, hidden_key
from autograder.cli import main
from autograder.grading import exercise_module

from tests.ex3_sources import CORRECT as CORRECT_EX3


@pytest.fixture
def no_env_key(monkeypatch):
    monkeypatch.delenv(secret.ENV, raising=False)


def _class(tmp_path: Path) -> Path:
    folder = tmp_path / "class" / "ana"
    folder.mkdir(parents=True)
    (folder / "ex3_dropout.py").write_text(CORRECT_EX3)
    return tmp_path / "class"


def test_no_key_ships_with_the_package(no_env_key):
    with pytest.raises(secret.MissingHiddenKey):
        hidden_key()
    package = Path(secret.__file__).parent
    for path in package.rglob("*.py"):
        assert "nn-grader-hidden" not in path.read_text(encoding="utf-8"), path  # the old public default


def test_generate_makes_owner_only_random_keys_and_never_replaces_them(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    written = secret.generate(a)
    secret.generate(b)
    assert sorted(p.name for p in written) == [secret.GRADE, secret.NOTEBOOK]
    assert stat.S_IMODE((a / secret.FOLDER).stat().st_mode) == 0o700
    for purpose in (secret.GRADE, secret.NOTEBOOK):
        assert stat.S_IMODE(secret.key_path(a, purpose).stat().st_mode) == 0o600
    key_a = secret.course_key(a)
    assert len(key_a) == 64 and key_a != secret.course_key(b)
    assert key_a != secret.course_key(a, secret.NOTEBOOK)
    assert secret.generate(a) == [] and secret.course_key(a) == key_a  # kept: graded draws stay valid


def test_resolution_order(tmp_path, monkeypatch):
    secret.generate(tmp_path)
    monkeypatch.setenv(secret.ENV, "from-the-environment-0123456789")
    assert secret.resolve(tmp_path) == secret.course_key(tmp_path)  # the course's key wins
    assert secret.resolve(None) == "from-the-environment-0123456789"
    key_file = tmp_path / "k"
    key_file.write_text("from-a-key-file-0123456789\n")
    key_file.chmod(0o600)
    assert secret.resolve(tmp_path, key_file) == "from-a-key-file-0123456789"


@pytest.mark.parametrize("content, mode, words, palabras", [
    ("a-long-enough-key-0123456789", 0o644, "chmod 600", "chmod 600"),
    ("short", 0o600, "shorter than 16", "menos de 16"),
])
def test_a_weak_key_file_is_refused(tmp_path, content, mode, words, palabras):
    key_file = tmp_path / "key"
    key_file.write_text(content)
    key_file.chmod(mode)
    with pytest.raises(secret.MissingHiddenKey) as info:
        secret.resolve(None, key_file)
    assert words in str(info.value)
    assert palabras in info.value.text("es")


def test_hidden_inputs_follow_the_key():
    spec = next(s for s in exercise_module("ex1").SPECS)
    first = CaseSource("key-one-0123456789abcdef")(spec, hidden=True)[0].inputs
    again = CaseSource("key-one-0123456789abcdef")(spec, hidden=True)[0].inputs
    other = CaseSource("key-two-0123456789abcdef")(spec, hidden=True)[0].inputs
    leaves = lambda d: [v for v in d.values() if hasattr(v, "shape")]  # noqa: E731
    assert all((x == y).all() for x, y in zip(leaves(first), leaves(again)))
    assert any(x.shape != y.shape or not (x == y).all() for x, y in zip(leaves(first), leaves(other)))


@pytest.mark.parametrize("lang, words", [("en", "No key for the hidden checks"),
                                         ("es", "No hay clave para las comprobaciones ocultas")])
def test_grade_without_a_key_is_a_usage_error_and_writes_nothing(tmp_path, no_env_key, monkeypatch, lang, words):
    klass = _class(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["grade", "ex3", str(klass), "--out", str(tmp_path / "grades"), "--lang", lang])
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "grades").exists()


def test_grade_with_a_key_file_grades_and_a_correct_submission_gets_full_marks(tmp_path, no_env_key):
    klass = _class(tmp_path)
    key_file = tmp_path / "hidden.key"
    key_file.write_text("instructor-key-0123456789abcdef\n")
    key_file.chmod(0o600)
    result = CliRunner().invoke(main, ["grade", "ex3", str(klass), "--out", str(tmp_path / "grades"),
                                       "--hidden-key-file", str(key_file), "--json"])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["score"] == record["max_score"] == 10 and any(c["hidden"] for c in record["checks"])


def test_a_key_file_others_can_read_is_refused_by_grade(tmp_path, no_env_key):
    klass = _class(tmp_path)
    key_file = tmp_path / "hidden.key"
    key_file.write_text("instructor-key-0123456789abcdef\n")
    key_file.chmod(0o644)
    result = CliRunner().invoke(main, ["grade", "ex3", str(klass), "--out", str(tmp_path / "grades"),
                                       "--hidden-key-file", str(key_file)])
    assert result.exit_code == 2 and "chmod 600" in result.output
    assert not (tmp_path / "grades").exists()


def test_a_missing_key_file_is_a_clear_error(tmp_path):
    with pytest.raises(secret.MissingHiddenKey, match="Cannot read the hidden-check key"):
        secret.read_key_file(tmp_path / "nowhere")
