"""What a submission controls stays inert wherever an instructor or student looks at it.

Hostile text (Rich markup, ANSI/OSC escapes, bidi overrides, HTML) in error messages and
student ids (folder names), spreadsheet formulas as student ids, and active notebook outputs
(JavaScript, HTML, SVG, widgets) are graded for real beside correct submissions, then looked at
where they end up: the terminal tables, gradebook.csv, the LMS export, the HTML feedback and
class report, and the autograded notebook that nbgrader's feedback renders.
"""
import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from autograder import authoring, sanitize
from autograder.cli import Context, main

# a function of the submission raises this: colour, a fake PASS, an OSC 8 hyperlink, Rich markup
HOSTILE = ("\x1b[32mPASS\x1b]8;;http://x\x07click\x1b]8;;\x07 [/bold] [link=http://evil]L[/link] "
           "[red]R\u202eevil\r\x9b31m")
MARKUP = ("[/bold]", "[link=http://evil]L[/link]", "[red]R")
CONTROL = ("\x1b", "\x07", "\x9b", "\u202e", "\r")
FORMULA_IDS = ('=HYPERLINK("evil.example","x")', "+cmd", "@SUM(A1)", "-2+3")
SVG_ID = "<svg onload=PWN_ID()>"
ESC_ID = "esc\x1b]8;;https:evil.example\x07name"  # an OSC 8 hyperlink in a folder name


def _solution() -> str:
    src = authoring.source_path("ex3")
    return authoring.student_script("ex3", authoring.parse(src.read_text()), keep_solutions=True)


def _console() -> Console:
    """What the instructor's terminal gets, minus Rich's own colours (so any ESC is the student's)."""
    return Console(file=io.StringIO(), force_terminal=True, color_system=None, width=400)


def _shown(console: Console) -> str:
    return console.file.getvalue()


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """An ex3 class graded by `grader grade`: correct submissions (one of them under each hostile id),
    one whose dropout_backward raises HOSTILE, one whose top level raises it with HTML in it."""
    root = tmp_path_factory.mktemp("hostile")
    klass = root / "class"
    solution = _solution()
    students = {"good": solution,
                "fn-raiser": solution + f"\n\ndef dropout_backward(dout, mask):\n    raise ValueError({HOSTILE!r})\n",
                "top-raiser": f"raise ValueError({HOSTILE + ' <img src=x onerror=PWN_ERR()>'!r})\n",
                SVG_ID: solution, ESC_ID: solution,
                **{sid: solution for sid in FORMULA_IDS}}
    for sid, text in students.items():
        (klass / sid).mkdir(parents=True)
        (klass / sid / "ex3_dropout.py").write_text(text)
    console = _console()
    result = CliRunner().invoke(main, ["grade", "ex3", str(klass), "--out", str(root / "grades")],
                                obj=Context(console))
    records = {json.loads(p.read_text())["student"]: json.loads(p.read_text())
               for p in (root / "grades" / "ex3").glob("*.json")}
    return {"root": root, "klass": klass, "result": result, "shown": _shown(console), "records": records,
            "grades": root / "grades"}


# ------------------------------------------------------------------ (a) terminal

def test_hostile_messages_are_graded_and_shown_inert_in_the_class_table(hostile_class):
    result, shown, records = hostile_class["result"], hostile_class["shown"], hostile_class["records"]
    assert result.exit_code == 0, (result.output, result.exception)
    # the attack changed no score: correct code under any id gets full marks, the raiser loses one check
    assert records["good"]["score"] == records[FORMULA_IDS[0]]["score"] == records[SVG_ID]["score"] == 10
    assert records["fn-raiser"]["score"] == 9 and records["top-raiser"]["score"] == 0
    assert records["top-raiser"]["error"]
    for bad in CONTROL:
        assert bad not in shown and bad not in result.output
    assert "PASSclick" in shown                      # the text is there, its escapes are not
    assert "http://x" not in shown                   # the hyperlink's target went with its escape sequence
    for literal in MARKUP:                           # markup is shown as typed, not interpreted
        assert literal in shown
    assert "escname" in shown and SVG_ID in shown     # hostile ids, inert as well


def test_per_student_output_shows_the_hostile_message_inert(hostile_class):
    console = _console()
    path = hostile_class["klass"] / "fn-raiser" / "ex3_dropout.py"
    result = CliRunner().invoke(main, ["check", "ex3", str(path)], obj=Context(console))
    shown = _shown(console)
    assert result.exit_code == 1, (result.output, result.exception)  # one check failed; no MarkupError
    assert "raised ValueError" in shown and "PASSclick" in shown
    assert all(literal in shown for literal in MARKUP)
    assert not any(bad in shown for bad in CONTROL)
    good = CliRunner().invoke(main, ["check", "ex3", str(hostile_class["klass"] / "good" / "ex3_dropout.py")],
                              obj=Context(_console()))
    assert good.exit_code == 0


def test_an_unloadable_submission_with_a_hostile_path_and_error_prints_inert(tmp_path):
    folder = tmp_path / "[bold]x\x1b[2J"
    folder.mkdir()
    (folder / "ex3_dropout.py").write_text(f"raise ValueError({HOSTILE!r})\n")
    console = _console()
    result = CliRunner().invoke(main, ["check", "ex3", str(folder / "ex3_dropout.py")], obj=Context(console))
    shown = _shown(console)
    assert result.exit_code == 3, (result.output, result.exception)
    assert "[bold]x" in shown and all(literal in shown for literal in MARKUP)
    assert not any(bad in shown for bad in CONTROL)


# ------------------------------------------------------------------ (b) CSV

def _csv(path: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return {row[0]: row for row in rows}


def test_gradebook_csv_neutralises_formulas_and_holds_no_control_characters(hostile_class):
    rows = _csv(hostile_class["grades"] / "ex3" / "gradebook.csv")
    text = (hostile_class["grades"] / "ex3" / "gradebook.csv").read_text(encoding="utf-8")
    assert not any(bad in text for bad in ("\x1b", "\x07", "\x9b", "\u202e"))
    for sid in FORMULA_IDS:
        assert "'" + sid in rows, sorted(rows)        # written '=HYPERLINK(…): text, not a formula
        assert rows["'" + sid][1:3] == ["10", "10"]   # and its scores stay numbers
    assert rows["good"][1:3] == ["10", "10"] and rows["escname"][1] == "10"
    error = rows["top-raiser"][3]
    assert "PASSclick" in error and "[/bold]" in error and "\n" not in error
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row
               if not re.fullmatch(r"-?[\d.]+", cell))


def test_the_lms_export_neutralises_formulas(hostile_class, tmp_path):
    result = CliRunner().invoke(main, ["export", "--grades", str(hostile_class["grades"]), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    rows = _csv(tmp_path / "grades.csv")
    for sid in FORMULA_IDS:
        assert rows["'" + sid] == ["'" + sid, "", "", "", "10", "10"]
    assert rows["good"] == ["good", "", "", "", "10", "10"]
    assert rows["top-raiser"] == ["top-raiser", "", "", "", "0", "0"]
    assert not any(bad in (tmp_path / "grades.csv").read_text(encoding="utf-8") for bad in CONTROL)


def test_csv_cell_rule():
    assert sanitize.csv_cell('=HYPERLINK("x","y")') == '\'=HYPERLINK("x","y")'
    for formula in ("+cmd", "-cmd", "@SUM(A1)", "-2+3", " =1+1", "\t=1", "\r=1", "-"):
        assert sanitize.csv_cell(formula).startswith("'"), formula
    for number in ("-1.5", "+2", "3e-4", "10", "0.25"):  # grader numbers, negative ones too, stay numbers
        assert sanitize.csv_cell(number) == number
    assert sanitize.csv_cell(-1.5) == "-1.5" and sanitize.csv_cell(7) == "7" and sanitize.csv_cell(None) == ""
    assert sanitize.csv_cell("a\nb\tc\x1b[31md") == "a b cd"
    assert sanitize.csv_cell("\x1b[31m=1") == "'=1"       # an escape cannot hide the formula
    assert sanitize.csv_cell("alice") == "alice"


# ------------------------------------------------------------------ (d) HTML pages

class _ActiveContent(HTMLParser):
    """What a browser would run in a page: script bodies, event handlers, script URLs, frames."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = self._script or tag == "script"
        if tag in ("iframe", "frame", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            url = re.sub(r"[\x00-\x20]", "", value).lower()
            if name.startswith("on") or name == "srcdoc" or \
                    url.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg")):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script:
            self.found.append(data)


def active_content(page: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(page)
    parser.close()
    return parser.found


def _visible_text(page: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?s)<(style|script)[^>]*>.*?</\1>", "", page)))


def test_the_active_content_finder_finds_attacks():  # the helper the HTML tests rely on
    assert active_content("<p>x</p><script>PWN()</script>") == ["PWN()"]
    assert active_content('<svg onload=PWN()></svg><a href=" java\tscript:x">') != []
    assert active_content("<p>&lt;script&gt;PWN()&lt;/script&gt;</p>") == []


def test_feedback_pages_and_report_keep_hostile_ids_and_errors_inert(hostile_class, tmp_path):
    grades = hostile_class["grades"]
    result = CliRunner().invoke(main, ["feedback", "ex3", "--grades", str(grades), "--out", str(tmp_path / "fb")])
    assert result.exit_code == 0, result.output
    assert not any(bad in result.output for bad in CONTROL)  # the "wrote PATH" lines name students
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "fb" / "ex3").glob("*.html")}
    assert SVG_ID in pages and "top-raiser" in pages and "good" in pages
    for sid, page in pages.items():
        assert active_content(page) == [], sid
        assert not any(bad in page for bad in ("\x1b", "\x07", "\x9b", "\u202e")), sid
    assert SVG_ID in _visible_text(pages[SVG_ID])                     # shown as text
    assert "<img src=x onerror=PWN_ERR()>" in _visible_text(pages["top-raiser"])
    assert "[/bold]" in _visible_text(pages["fn-raiser"])

    result = CliRunner().invoke(main, ["report", "ex3", "--grades", str(grades), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert active_content(report) == []
    assert "PWN_ERR()" in _visible_text(report)                      # the unloadable one is listed, inert
    assert "\x1b" not in report and "\u202e" not in report


def test_html_escapes_and_strips_controls():
    assert sanitize.html('<script>"x"&\x1b[31m\u202e') == "&lt;script&gt;&quot;x&quot;&amp;"


# ------------------------------------------------------------------ (c) notebooks

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

HOSTILE_OUTPUTS = [
    {"output_type": "stream", "name": "stdout", "text": ["ok <script>PWN_STREAM()</script>\x1b[31m red\n"]},
    {"output_type": "display_data", "metadata": {},
     "data": {"application/javascript": "PWN_JS()", "text/plain": "<IPython.core.display.Javascript object>"}},
    {"output_type": "execute_result", "execution_count": 3, "metadata": {},
     "data": {"text/html": "<script>PWN_HTML()</script><img src=x onerror=PWN_IMG()>", "text/plain": "frame"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2, "version_minor": 0},
              "text/plain": "IntSlider(value=0)"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'><script>PWN_SVG()</script></svg>"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"text/markdown": "<script>PWN_MDOUT()</script>", "text/latex": "$\\href{javascript:PWN_TEX()}{x}$"}},
    {"output_type": "display_data", "data": {"image/png": PNG},
     "metadata": {"image/png": {"width": "1 onerror=PWN_WIDTH()", "height": 4}}},
    {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG + '"><script>PWN_PNG()</script>'}},
    {"output_type": "error", "ename": "ValueError", "evalue": "\x1b[32mPASS <b>x</b>",
     "traceback": ["\x1b[0;31mValueError\x1b[0m: \x1b[32mPASS <b>x</b>"]},
    "not an output", {"output_type": "update_display_data", "data": {"text/html": "<script>PWN_UPD()</script>"}},
]


def test_notebook_outputs_keeps_only_inert_outputs():
    kept = sanitize.notebook_outputs(HOSTILE_OUTPUTS)
    assert [o["output_type"] for o in kept] == ["stream", "display_data", "execute_result", "display_data",
                                                "display_data", "error"]
    assert kept[0]["text"] == "ok <script>PWN_STREAM()</script> red\n"     # text, shown escaped by any renderer
    assert kept[1]["data"] == {"text/plain": "<IPython.core.display.Javascript object>"}
    assert kept[2] == {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                       "data": {"text/plain": "frame"}}
    assert kept[3]["data"] == {"text/plain": "IntSlider(value=0)"}
    assert kept[4] == {"output_type": "display_data", "data": {"image/png": PNG},
                       "metadata": {"image/png": {"height": 4}}}
    assert kept[-1] == {"output_type": "error", "ename": "ValueError", "evalue": "PASS <b>x</b>",
                        "traceback": ["ValueError: PASS <b>x</b>"]}
    flat = json.dumps(kept)
    for token in ("PWN_JS", "PWN_HTML", "PWN_IMG", "PWN_SVG", "PWN_MDOUT", "PWN_TEX", "PWN_WIDTH", "PWN_PNG",
                  "PWN_UPD", "\\u001b"):
        assert token not in flat, token
    assert sanitize.notebook_outputs(None) == [] and sanitize.notebook_outputs({"a": 1}) == []


def _hostile_notebook(base: dict) -> dict:
    """``base`` (a solved notebook) with active content everywhere a student can put it."""
    nbk = json.loads(json.dumps(base))
    code = next(c for c in nbk["cells"] if c["cell_type"] == "code")
    code["outputs"] = json.loads(json.dumps(HOSTILE_OUTPUTS[:-2]))
    nbk["cells"][1:1] = [
        {"cell_type": "markdown", "metadata": {}, "id": "md-attack",
         "source": "Mine: <script>PWN_MD()</script> <img src=x onerror=PWN_MDIMG()> "
                   "[x](javascript:PWN_LINK()) [y](&#106;avascript:PWN_ENT()) and $0 < p \\le 1$"},
        {"cell_type": "raw", "metadata": {"raw_mimetype": "text/html"}, "id": "raw-attack",
         "source": "<script>PWN_RAW()</script>"},
        {"cell_type": "markdown", "id": "att-attack", "source": "![a](attachment:a.svg)",
         "metadata": {}, "attachments": {"a.svg": {"image/svg+xml": "<svg onload=PWN_ATT()></svg>"}}},
    ]
    nbk["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0, "x": "</script><script>PWN_WSTATE()</script>"}}
    return nbk


def _render(nbk: dict) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    # nbgrader's feedback template extends nbconvert's classic one
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nbformat.reads(json.dumps(nbk), as_version=4))
    return body


def test_inert_notebook_leaves_nothing_for_nbconvert_to_run():
    solution = json.loads((authoring.SOLUTIONS / "ex3_dropout.ipynb").read_text(encoding="utf-8"))
    hostile = _hostile_notebook(solution)
    assert any("PWN" in a for a in active_content(_render(hostile)))  # the attacks are live as submitted…
    inert = sanitize.inert_notebook(json.loads(json.dumps(hostile)))
    page = _render(inert)
    assert not any("PWN" in a for a in active_content(page))          # …and none is after
    text = _visible_text(page)
    assert "Mine: <\u200bscript>PWN_MD()" in text and "$0 < p \\le 1$" in text  # markdown still reads the same
    assert "PWN_STREAM" in text and "frame" in text                   # inert outputs are kept
    assert "widgets" not in inert["metadata"] and inert["metadata"]["kernelspec"]["name"] == "python3"
    assert [c.get("id") for c in inert["cells"][:4]] == [solution["cells"][0].get("id"), "md-attack",
                                                        "raw-attack", "att-attack"]
    assert inert["cells"][3]["attachments"] == {"a.svg": {"image/png": sanitize.BLANK_PNG}}
    import nbformat

    nbformat.validate(nbformat.from_dict(inert))                      # still a valid notebook


def test_inert_notebook_tolerates_malformed_cells_and_bad_nbgrader_ids():
    nbk = {"cells": ["text", None, {"cell_type": "code"}, {"no": "type"},
                     {"cell_type": "markdown", "source": ["<b>", "x</b>"], "metadata": "bad"},
                     {"cell_type": "code", "source": "x", "outputs": "bad", "metadata": {
                         "nbgrader": {"grade_id": 'x"><script>PWN()</script>', "grade": True}, "tags": ["ok", "<b>"]}},
                     {"cell_type": "code", "source": "y", "outputs": [], "metadata": {
                         "nbgrader": {"grade_id": "sol_ok", "solution": True}}}],
           "metadata": {"kernelspec": {"name": "python3", "display_name": "<script>"}}}
    out = sanitize.inert_notebook(nbk)
    assert out is nbk
    assert [c["cell_type"] for c in out["cells"]] == ["code", "markdown", "code", "code"]
    assert out["cells"][0]["outputs"] == [] and out["cells"][0]["source"] == ""
    assert out["cells"][1]["source"] == "<\u200bb>x<\u200b/b>" and out["cells"][1]["metadata"] == {}
    assert out["cells"][2]["metadata"] == {"tags": ["ok"]}           # a grade id that is not an id is dropped
    assert out["cells"][3]["metadata"]["nbgrader"]["grade_id"] == "sol_ok"
    assert out["metadata"] == {"kernelspec": {"name": "python3"}}
    assert sanitize.inert_notebook("not a notebook") == "not a notebook"
    assert sanitize.inert_notebook({"cells": "x"})["cells"] == []


def test_terminal_rules():
    assert sanitize.terminal(HOSTILE) == "PASSclick [/bold] [link=http://evil]L[/link] [red]Revil\n"
    assert sanitize.terminal("a\x1b]0;title\x1b\\b\x1bPdcs\x1b\\c") == "abc"   # OSC and DCS ended by ST
    assert sanitize.terminal("tab\tnewline\nnul\x00del\x7f\u2066") == "tab\tnewline\nnuldel"
    assert sanitize.terminal("été ✓ 日本") == "été ✓ 日本" and sanitize.terminal(None) == ""
    assert sanitize.rich_markup("[red]x") == "\\[red]x"
    assert sanitize.rich_text("[red]\x1b[1mx").plain == "[red]x"


def test_nbgrader_feedback_of_a_hostile_notebook_runs_nothing(tmp_path):
    """A course graded by `grader grade`: the autograded notebook of a correct submission that carries
    active content everywhere goes through nbgrader's generate_feedback without a live script."""
    from autograder.course import nb, notebook_name
    from autograder.course.grade import grade_course
    from autograder.course.release import release
    from autograder.course.setup import init_course

    name = notebook_name("ex3")
    course = init_course(tmp_path / "nn", ["ex3"])
    assert release(course, "ex3").ok
    source = json.loads((course.source("ex3") / name).read_text(encoding="utf-8"))
    for student, content in {"good": source, "mallory": _hostile_notebook(source)}.items():
        folder = course.submitted(student, "ex3")
        folder.mkdir(parents=True)
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00")
    run = grade_course(course, "ex3", jobs=1)
    scores = {r.student: (r.score, r.max_score) for r in run.records}
    assert scores["good"] == scores["mallory"] == (10, 10)

    api = nb.api(course)
    pages = {}
    for student in ("good", "mallory"):
        nb.check(api.generate_feedback("ex3", student), "generate_feedback")
        pages[student] = (course.root / "feedback" / student / "ex3" / name.replace(".ipynb", ".html")
                          ).read_text(encoding="utf-8")
    assert not any("PWN" in a for a in active_content(pages["mallory"]))
    text = _visible_text(pages["mallory"])
    assert "PWN_MD()" in text and "PWN_STREAM()" in text       # the student's text is there, as text
    assert "Score: 10.0 / 10.0" in text or "10.0 / 10.0" in text
    assert active_content(pages["good"]) == active_content(pages["mallory"])  # nbgrader's own scripts only
