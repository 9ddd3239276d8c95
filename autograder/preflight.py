"""What an instructor command checks before it writes anything, and the one-line errors it gives.

A command that cannot finish because of the machine rather than the grading
(nbgrader not installed, a gradebook that is not a database, a folder it may
not write) says so in one line on stderr with exit code 2, before it writes
anything, so that nothing is left half-made:

* :func:`require_nbgrader`: nbgrader (the ``course`` extra) imports;
* :func:`check_gradebook`: the course's ``gradebook.db``, when there is one, is
  a readable SQLite database (``PRAGMA quick_check``, with :mod:`sqlite3`);
* :func:`check_writable`: every folder and file the command will write can be
  written (a real probe: a file created and removed in each folder, each file
  opened for writing and closed unchanged; so a read-only mount, an immutable
  file and a root user's writes all answer truly).

:class:`Problem` is a :class:`click.ClickException` with exit code 2: click
prints ``Error: <message>`` and exits, no traceback. Its text is in English or
Spanish (``lang``; default ``$GRADER_LANG``). :func:`os_problem` turns an
``OSError`` that escaped a command (a disk that filled up meanwhile) into one.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

import click

from .messages import Text, default_lang

INSTALL = "pip install -e '.[course]'"

TEXTS = {
    "needs_nbgrader": Text(
        "`grader {command}` needs nbgrader, which cannot be imported here ({detail}): install the course extra "
        "with `" + INSTALL + "` in the nn-grader folder, then run it again. Nothing was written.",
        "`grader {command}` necesita nbgrader, que no se puede importar aquí ({detail}): instala el extra del "
        "curso con `" + INSTALL + "` en la carpeta de nn-grader y vuelve a ejecutarlo. No se ha escrito nada."),
    "broken_gradebook": Text(
        "{path} is not a readable nbgrader gradebook ({detail}); nothing was changed. Restore it from a backup, "
        "or move it away (mv {path} {path}.broken) and run `grader grade EX` for each exercise already graded: "
        "it creates a new, empty gradebook and records the saved results (grades/) in it again (manual grades "
        "and comments from the formgrader are only in a backup).",
        "{path} no es un libro de calificaciones de nbgrader legible ({detail}); no se ha cambiado nada. "
        "Recupéralo de una copia de seguridad, o apártalo (mv {path} {path}.broken) y ejecuta `grader grade EX` "
        "para cada ejercicio ya corregido: crea un libro nuevo y vacío y vuelve a registrar en él los resultados "
        "guardados (grades/) (las notas y comentarios manuales del formgrader solo están en una copia de "
        "seguridad)."),
    "not_writable_folder": Text(
        "Cannot write in {path} ({reason}); nothing was written. Make it writable, or choose another folder, "
        "then run the command again.",
        "No se puede escribir en {path} ({reason}); no se ha escrito nada. Haz que se pueda escribir en ella, o "
        "elige otra carpeta, y vuelve a ejecutar la orden."),
    "not_writable_file": Text(
        "Cannot write {path} ({reason}); nothing was written. Make it writable, then run the command again.",
        "No se puede escribir {path} ({reason}); no se ha escrito nada. Haz que se pueda escribir y vuelve a "
        "ejecutar la orden."),
    "file_not_folder": Text(
        "{path} is a file where a folder is expected; nothing was written. Move it away or choose another folder, "
        "then run the command again.",
        "{path} es un fichero donde se espera una carpeta; no se ha escrito nada. Apártalo o elige otra carpeta "
        "y vuelve a ejecutar la orden."),
    "folder_not_file": Text(
        "{path} is a folder where a file is expected; nothing was written. Move it away, then run the command "
        "again.",
        "{path} es una carpeta donde se espera un fichero; no se ha escrito nada. Apártala y vuelve a ejecutar "
        "la orden."),
    "os_error": Text(
        "{path}: {reason}. Fix it (permissions, free space, a file where a folder is expected), then run the "
        "command again.",
        "{path}: {reason}. Corrígelo (permisos, espacio libre, un fichero donde se espera una carpeta) y vuelve "
        "a ejecutar la orden."),
}

#: errors that mean "this place cannot be used": the machine's, not the grading's
WRITE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR,
                errno.EISDIR, errno.ETXTBSY}

#: ``errno`` -> reason, in both languages (``os.strerror`` speaks English only)
REASONS = {
    errno.EROFS: Text("read-only file system", "sistema de ficheros de solo lectura"),
    errno.EACCES: Text("permission denied", "permiso denegado"),
    errno.EPERM: Text("operation not permitted", "operación no permitida"),
    errno.ENOSPC: Text("no space left on the device", "no queda espacio en el dispositivo"),
    errno.EDQUOT: Text("disk quota exceeded", "cuota de disco superada"),
    errno.ENOTDIR: Text("not a folder", "no es una carpeta"),
    errno.EISDIR: Text("a folder", "es una carpeta"),
}


class Problem(click.ClickException):
    """One line on stderr (``Error: …``) and exit code 2. ``lang`` may be set before it is shown."""

    exit_code = 2

    def __init__(self, key: str, lang: str | None = None, **fields):
        self.key, self.fields, self.lang = key, fields, lang or default_lang()
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        fields = {k: v(lang) if isinstance(v, Text) else v for k, v in self.fields.items()}
        return TEXTS[self.key](lang, **fields)

    def format_message(self) -> str:
        return self.text(self.lang)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _reason(exc: OSError) -> Text | str:
    return REASONS.get(exc.errno) or _one_line(exc.strerror or exc)


def require_nbgrader(command: str, lang: str | None = None) -> None:
    """Problem when nbgrader (and the gradebook API the course commands use) cannot be imported."""
    try:
        import nbgrader.api  # noqa: F401 - the commands that call this import it next anyway
    except ImportError as exc:
        raise Problem("needs_nbgrader", lang, command=command, detail=_one_line(exc) or "ImportError") from None


def gradebook_problem(path) -> str | None:
    """Why the SQLite file ``path`` cannot serve as a gradebook, or None (also when it does not exist: nbgrader
    creates it)."""
    path = Path(path)
    if not os.path.lexists(path):
        return None
    if path.is_dir():
        return "a folder"
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        return _one_line(exc)
    if rows != [("ok",)]:
        return _one_line("; ".join(str(r[0]) for r in rows[:2]))
    return None


def check_gradebook(path, lang: str | None = None) -> None:
    """Problem naming ``path`` and the way out when it exists and is not a readable SQLite database."""
    detail = gradebook_problem(path)
    if detail is not None:
        raise Problem("broken_gradebook", lang, path=str(path), detail=detail)


def _nearest(path: Path) -> Path:
    while not os.path.lexists(path) and path.parent != path:
        path = path.parent
    return path


def check_writable(folders=(), files=(), lang: str | None = None) -> None:
    """Problem for the first of ``folders`` (written into; created when missing) and ``files`` (written;
    created when missing) that cannot be written. Nothing is left behind by the probes."""
    for kind, paths in (("folder", folders), ("file", files)):
        for raw in paths:
            path = Path(raw).absolute()
            here = path if os.path.lexists(path) else _nearest(path.parent if kind == "file" else path)
            if here.is_dir():
                if here == path and kind == "file":
                    raise Problem("folder_not_file", lang, path=str(path))
                try:  # a real write: permission bits, ACLs, read-only mounts and immutable folders all answer
                    fd, probe = tempfile.mkstemp(dir=here, prefix=".grader-probe-")
                    os.close(fd)
                    os.unlink(probe)
                except OSError as exc:
                    raise Problem("not_writable_folder", lang, path=str(here), reason=_reason(exc)) from None
            elif here != path or kind == "folder":  # a file on the way to (or instead of) a folder
                raise Problem("file_not_folder", lang, path=str(here))
            else:
                try:
                    with open(path, "r+b"):  # opened for writing, closed unchanged
                        pass
                except OSError as exc:
                    raise Problem("not_writable_file", lang, path=str(path), reason=_reason(exc)) from None


def os_problem(exc: OSError, lang: str | None = None) -> Problem | None:
    """The one-line Problem for an ``OSError`` that means a place cannot be used (written, mostly), else None."""
    if exc.errno not in WRITE_ERRNOS or not exc.filename:
        return None
    return Problem("os_error", lang, path=str(exc.filename), reason=_reason(exc))
