"""One place that makes what came from a submission inert wherever it is shown or stored.

Student-controlled text reaches the instructor's terminal (error messages,
student ids taken from folder names, paths), HTML pages, CSV files opened in
spreadsheets and notebooks rendered by nbconvert (nbgrader's feedback and
formgrader). Each sink has its own rule:

``terminal(text)``
    Plain text without control characters: ANSI/VT escape sequences (CSI,
    OSC such as hyperlinks and window titles, DCS/APC/PM/SOS strings) are
    removed whole; the remaining C0 controls, DEL and C1 controls are
    dropped, except newline and tab; a carriage return becomes a newline (it
    could overwrite a line on a terminal); the bidirectional overrides and
    isolates U+202A–U+202E, U+2066–U+2069 are dropped ("Trojan Source").
``rich_markup(text)``
    ``terminal(text)`` escaped for Rich console markup, for use inside an
    f-string passed to ``console.print``.
``rich_text(text, style)``
    ``terminal(text)`` as a ``rich.text.Text``: never parsed for markup or
    emoji codes. Use it for table cells.
``html(text)``
    ``terminal(text)`` escaped for HTML text and quoted attribute values.
``csv_cell(value)``
    OWASP's rule against CSV/formula injection: a text cell whose first
    character (after leading spaces) is ``=``, ``+``, ``-``, ``@``, a tab or
    a carriage return gets a leading single quote; control characters are
    dropped and line breaks and tabs become spaces (one cell, one line).
    Numbers are left alone: ints and floats are written with ``:g``, and a
    string that is exactly a decimal number (``-1.5``, ``+2``, ``3e-4``) is
    not a formula in any spreadsheet, so a negative score stays a number.
``notebook_outputs(outputs)`` / ``inert_notebook(nb)``
    Keep only inert outputs of code cells: ``stream`` text, ``error``
    (ename, evalue, traceback as plain text) and ``display_data`` /
    ``execute_result`` reduced to ``text/plain``, ``image/png`` and
    ``image/jpeg`` (valid base64 only; integer width/height metadata only).
    HTML, JavaScript, Markdown, LaTeX, SVG (it can carry script), widgets
    and any other MIME type are dropped. ``inert_notebook`` also neutralises
    markdown and raw cells (a zero-width space after each ``<`` that could
    open a tag and each ``&`` that starts a character reference, and inside
    ``javascript:``-like URL schemes: no raw HTML, no entity tricks, and the
    text reads the same), keeps only the PNG/JPEG images of attachments (a
    blank PNG stands in for the others), drops nbgrader metadata whose grade
    id is not a plain identifier (nbconvert's feedback and the formgrader
    templates put it into HTML unescaped), keeps only plain-identifier tags,
    and drops notebook metadata other than ``kernelspec``/``language_info``
    (nbconvert embeds widget state in a ``<script>`` tag). Cells that are not
    dicts or are of no known type are removed.

The layer is applied at the edge: stored grade records keep what the
student's code produced; only the stored artefacts meant for other programs
(CSV files, the autograded notebook) are sanitised when written.

Standard library only, cheap to import: ``grader check`` imports it.
"""
from __future__ import annotations

import base64
import binascii
import html as _html
import re

# ------------------------------------------------------------------ text

_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                      # CSI: colours, cursor moves, erase
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"   # OSC (hyperlinks, titles) ended by BEL or ST
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)"        # DCS, SOS, PM, APC strings ended by ST
    r"|\x1b[ -/]*[0-~]"                              # any other escape sequence (and a bare ESC x)
    r"|\x9b[0-?]*[ -/]*[@-~]"                        # C1 CSI
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"     # C1 OSC
)
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _as_text(text) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    return text if isinstance(text, str) else str(text)


def terminal(text) -> str:
    """``text`` (any object; None gives "") without escape sequences or control characters
    other than newline and tab; carriage returns become newlines."""
    s = _as_text(text)
    if not s.isprintable():  # fast path: printable text has nothing to strip
        s = _ESCAPE_SEQUENCES.sub("", s).replace("\r\n", "\n").replace("\r", "\n")
        s = _CONTROLS.sub("", s)
    return s


def one_line(text) -> str:
    """``terminal(text)`` with newlines and tabs turned into spaces."""
    s = terminal(text)
    return s.replace("\n", " ").replace("\t", " ") if ("\n" in s or "\t" in s) else s


def rich_markup(text) -> str:
    """``terminal(text)`` escaped for Rich console markup (for f-strings given to ``console.print``)."""
    from rich.markup import escape

    return escape(terminal(text))


def rich_text(text, style: str = ""):
    """``terminal(text)`` as a ``rich.text.Text``: shown literally (no markup, no emoji codes)."""
    from rich.text import Text

    return Text(terminal(text), style=style)


def html(text) -> str:
    """``terminal(text)`` escaped for HTML text and quoted attribute values."""
    return _html.escape(terminal(text), quote=True)


# ------------------------------------------------------------------ CSV

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """``value`` as a CSV cell no spreadsheet evaluates (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    s = _as_text(value)
    if s and s[0] in ("\t", "\r"):
        return "'" + one_line(s)
    s = one_line(s)
    if _NUMBER.fullmatch(s):
        return s
    if s.lstrip(" ").startswith(_FORMULA_START):
        return "'" + s
    return s


def csv_row(values) -> list[str]:
    """``csv_cell`` of each value."""
    return [csv_cell(v) for v in values]


# ------------------------------------------------------------------ notebooks

#: the only MIME types of a rich output that survive
INERT_MIME_TYPES = ("text/plain", "image/png", "image/jpeg")
_IMAGE_TYPES = ("image/png", "image/jpeg")
_GRADE_ID = re.compile(r"[A-Za-z0-9_.\-]{1,200}")
_SAFE_META = re.compile(r"[\w .+\-/()]{0,200}")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")  # what could open a tag, comment, declaration or autolink
_CHAR_REF = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")  # what starts a character reference
#: URL schemes that run code or carry documents; broken by a zero-width space after their name
_SCHEMES = re.compile(r"(?i)\b(javascript|vbscript|livescript|data)(\s*\\?:)")


def _text(value) -> str:
    """Notebook text (a string or a list of strings) as one string."""
    if isinstance(value, list):
        return "".join(_as_text(v) for v in value)
    return _as_text(value)


def _base64_image(value) -> str | None:
    data = _text(value)
    compact = "".join(data.split())
    if not compact:
        return None
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return compact


def _image_metadata(meta) -> dict:
    """Only integer width/height of each image type (nbconvert writes them unquoted)."""
    out = {}
    if not isinstance(meta, dict):
        return out
    for mime in _IMAGE_TYPES:
        m = meta.get(mime)
        if isinstance(m, dict):
            kept = {k: int(m[k]) for k in ("width", "height")
                    if isinstance(m.get(k), (int, float)) and not isinstance(m.get(k), bool)
                    and 0 < m[k] < 100_000}
            if kept:
                out[mime] = kept
    return out


def _execution_count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def notebook_outputs(outputs) -> list:
    """The inert part of a code cell's outputs (see the module docstring); anything malformed is dropped."""
    if not isinstance(outputs, list):
        return []
    kept = []
    for out in outputs:
        if not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream":
            name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
            kept.append({"output_type": "stream", "name": name, "text": terminal(_text(out.get("text")))})
        elif kind == "error":
            tb = out.get("traceback")
            tb = [terminal(line) for line in tb] if isinstance(tb, list) else []
            kept.append({"output_type": "error", "ename": one_line(out.get("ename")),
                         "evalue": terminal(out.get("evalue")), "traceback": tb})
        elif kind in ("display_data", "execute_result"):
            data = out.get("data") if isinstance(out.get("data"), dict) else {}
            clean = {}
            if "text/plain" in data:
                clean["text/plain"] = terminal(_text(data["text/plain"]))
            for mime in _IMAGE_TYPES:
                if mime in data:
                    image = _base64_image(data[mime])
                    if image is not None:
                        clean[mime] = image
            if not clean:
                continue
            item = {"output_type": kind, "data": clean, "metadata": _image_metadata(out.get("metadata"))}
            if kind == "execute_result":
                item["execution_count"] = _execution_count(out.get("execution_count"))
            kept.append(item)
    return kept


def inert_markdown(source) -> str:
    """Markdown that renders without raw HTML or script URLs and reads the same.

    A zero-width space (U+200B) is put after every ``<`` that could open a tag, comment or
    autolink (one followed by a letter, ``/``, ``!`` or ``?``), after every ``&`` that starts a
    character reference (mistune decodes link URLs twice, so escaping as ``&amp;`` is not
    enough) and inside ``javascript:``-like schemes. No decoding removes it, so no tag and no
    script URL can form; ``a < b`` and LaTeX's ``&`` are untouched.
    """
    s = terminal(_text(source))
    s = _CHAR_REF.sub("&\u200b", s)
    s = _TAG_OPEN.sub("<\u200b", s)
    return _SCHEMES.sub("\\1\u200b\\2", s)


#: a transparent 1x1 PNG: stands in for an attachment that is not a PNG or JPEG image
BLANK_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _attachments(value) -> dict:
    """Each attachment reduced to its PNG/JPEG images; one with none keeps its name (nbconvert
    refuses a notebook whose markdown names a missing attachment) and holds ``BLANK_PNG``."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for name, bundle in value.items():
        bundle = bundle if isinstance(bundle, dict) else {}
        images = {m: img for m in _IMAGE_TYPES if m in bundle and (img := _base64_image(bundle[m])) is not None}
        out[str(name)] = images or {"image/png": BLANK_PNG}
    return out


def _cell_metadata(meta) -> dict:
    if not isinstance(meta, dict):
        return {}
    meta = dict(meta)
    grading = meta.get("nbgrader")
    if grading is not None and not (isinstance(grading, dict)
                                    and _GRADE_ID.fullmatch(str(grading.get("grade_id", "ok")))):
        del meta["nbgrader"]
    tags = meta.get("tags")
    if tags is not None:
        meta["tags"] = [t for t in tags if isinstance(t, str) and _GRADE_ID.fullmatch(t)] \
            if isinstance(tags, list) else []
    return meta


def _notebook_metadata(meta) -> dict:
    out = {}
    if not isinstance(meta, dict):
        return out
    for key in ("kernelspec", "language_info"):
        section = meta.get(key)
        if isinstance(section, dict):
            out[key] = {k: v for k, v in section.items()
                        if isinstance(k, str) and isinstance(v, str) and _SAFE_META.fullmatch(v)}
    return out


def inert_cell(cell):
    """One cell made inert (a new dict), or None when ``cell`` is not a cell at all."""
    if not isinstance(cell, dict):
        return None
    cell = dict(cell)
    kind = cell.get("cell_type")
    cell["metadata"] = _cell_metadata(cell.get("metadata"))
    if kind == "code":
        cell["source"] = terminal(_text(cell.get("source")))
        cell["outputs"] = notebook_outputs(cell.get("outputs"))
        cell["execution_count"] = _execution_count(cell.get("execution_count"))
        cell.pop("attachments", None)
    elif kind in ("markdown", "raw"):
        cell["source"] = inert_markdown(cell.get("source"))
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        if kind == "raw":
            for key in ("raw_mimetype", "format"):
                cell["metadata"].pop(key, None)
        if "attachments" in cell:
            cell["attachments"] = _attachments(cell["attachments"])
    else:
        return None
    return cell


def inert_notebook(nb):
    """``nb`` (a notebook as a dict) with every cell made inert, in place; returns it.

    Cells that are not dicts or have an unknown type are removed; a value that is
    not a dict is returned unchanged.
    """
    if not isinstance(nb, dict):
        return nb
    cells = nb.get("cells")
    nb["cells"] = [c for c in (inert_cell(c) for c in cells) if c is not None] if isinstance(cells, list) else []
    nb["metadata"] = _notebook_metadata(nb.get("metadata"))
    return nb
