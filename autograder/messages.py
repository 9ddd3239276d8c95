"""Feedback texts in English and Spanish.

``t(key, lang, **fields)`` formats one template. Exercise modules add their
own texts (check descriptions, known mistakes) as :class:`Text` pairs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

LANGS = ("en", "es")


def default_lang() -> str:
    """``$GRADER_LANG`` when it names a supported language, else English."""
    lang = os.environ.get("GRADER_LANG", "en").strip().lower()[:2]
    return lang if lang in LANGS else "en"


#: the "language" grading writes messages in: both at once (:class:`Msg`), one chosen when rendering
BOTH = "*"


@dataclass(frozen=True)
class Msg:
    """A message in every language, chosen only when rendering: ``msg("es")``.

    Grading builds its messages in :data:`BOTH` languages, so a result stores them all and a
    feedback page, a table or a check cell renders the one asked for then. ``mistakes``: the ids of
    the known mistakes the message names (``t("mistake", …)`` sets it), so nothing has to find
    them in the text. ``str()`` of a Msg is an error: say which language.
    """

    en: str
    es: str
    mistakes: tuple[str, ...] = ()

    def __call__(self, lang: str = "en") -> str:
        return self.es if lang == "es" else self.en

    render = __call__

    def __str__(self):
        raise TypeError("a Msg has no single text: render it with msg(lang)")

    __format__ = None  # type: ignore[assignment]  (format(msg) fails too)

    def _join(self, other, left: bool) -> "Msg":
        o = as_msg(other)
        a, b = (o, self) if left else (self, o)
        return Msg(a.en + b.en, a.es + b.es, tuple(dict.fromkeys(a.mistakes + b.mistakes)))

    def __add__(self, other) -> "Msg":
        return self._join(other, False)

    def __radd__(self, other) -> "Msg":
        return self._join(other, True)

    def __bool__(self) -> bool:
        return bool(self.en or self.es)

    def map(self, fn) -> "Msg":
        """``fn`` applied to the text of each language (``msg.map(str.rstrip)``)."""
        return Msg(fn(self.en), fn(self.es), self.mistakes)

    def rstrip(self, chars: str | None = None) -> "Msg":
        return self.map(lambda s: s.rstrip(chars))

    def to_dict(self) -> dict:
        return {"en": self.en, "es": self.es}

    @staticmethod
    def join(sep: str, parts) -> "Msg":
        """``sep.join(parts)`` in each language; ``parts``: Msg or str."""
        parts = [as_msg(p) for p in parts]
        return Msg(sep.join(p.en for p in parts), sep.join(p.es for p in parts),
                   tuple(dict.fromkeys(m for p in parts for m in p.mistakes)))


def as_msg(value) -> Msg:
    """A Msg as it is; a str (a text that is the same in every language, or an older record's
    message) as the same text in each language; a {"en": …, "es": …} dict as its Msg."""
    if isinstance(value, Msg):
        return value
    if isinstance(value, dict):
        en = str(value.get("en", ""))
        return Msg(en, str(value.get("es", en)))
    return Msg(str(value), str(value))


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``format`` fills ``{fields}``.

    ``text(lang, **fields)`` is a str in ``lang``, or a :class:`Msg` when ``lang`` is :data:`BOTH`;
    a field that is a Msg is rendered in the same language (and its mistakes carried on)."""

    en: str
    es: str

    def __call__(self, lang: str = "en", **fields):
        if lang == BOTH:
            nested = tuple(m for v in fields.values() if isinstance(v, Msg) for m in v.mistakes)
            return Msg(self._format("en", fields), self._format("es", fields), tuple(dict.fromkeys(nested)))
        return self._format(lang, fields)

    def _format(self, lang: str, fields: dict) -> str:
        template = self.es if lang == "es" else self.en
        if not fields:
            return template
        return template.format(**{k: v(lang) if isinstance(v, Msg) else v for k, v in fields.items()})


MESSAGES: dict[str, Text] = {
    # loading
    "missing_file": Text("No submission found at {path}.", "No se encontró ninguna entrega en {path}."),
    "bad_suffix": Text("{path} is neither a notebook (.ipynb) nor a Python file (.py).",
                       "{path} no es ni un cuaderno (.ipynb) ni un fichero Python (.py)."),
    "not_utf8": Text("{path} is not UTF-8 text.", "{path} no es texto UTF-8."),
    "broken_notebook": Text("{path} is not a valid notebook ({detail}). Re-download it or restore it from a checkpoint.",
                            "{path} no es un cuaderno válido ({detail}). Descárgalo de nuevo o recupéralo de un punto de control."),
    "too_large": Text("{path} is {size:.1f} MB, more than the {limit:g} MB the grader reads (its outputs, most "
                      "likely): clear them (Kernel → Restart & Clear Output), save, and submit it again.",
                      "{path} ocupa {size:.1f} MB, más de los {limit:g} MB que lee el corrector (seguramente por sus "
                      "salidas): bórralas (Kernel → Restart & Clear Output), guarda y vuelve a entregarlo."),
    "empty_file": Text("{path} is empty: it holds no notebook. Open your notebook, save it (File → Save) and submit "
                       "it again.",
                       "{path} está vacío: no contiene ningún cuaderno. Abre tu cuaderno, guárdalo (File → Save) y "
                       "vuelve a entregarlo."),
    "not_a_notebook": Text("{path} is JSON but not a notebook (it has no list of cells). Re-download it or restore it "
                           "from a checkpoint.",
                           "{path} es JSON pero no un cuaderno (no tiene lista de celdas). Descárgalo de nuevo o "
                           "recupéralo de un punto de control."),
    "too_deep": Text("{path} is not a valid notebook (its JSON is nested too deeply to be a notebook). Re-download it "
                     "or restore it from a checkpoint.",
                     "{path} no es un cuaderno válido (su JSON está anidado a demasiada profundidad para ser un "
                     "cuaderno). Descárgalo de nuevo o recupéralo de un punto de control."),
    # what was wrong with a course submission's notebook (nbgrader's cells), kept with its result
    "json_null": Text("null", "null"),
    "json_string": Text("a string", "una cadena"),
    "json_number": Text("a number", "un número"),
    "json_boolean": Text("a boolean", "un booleano"),
    "json_list": Text("a list", "una lista"),
    "json_object": Text("an object", "un objeto"),
    "nb_is": Text("{what} is {kind}", "{what} es {kind}"),
    "nb_not_bool": Text("{what} is {kind}, not true/false", "{what} es {kind}, no true/false"),
    "nb_negative": Text("{what} is negative ({value:g})", "{what} es negativo ({value:g})"),
    "nb_not_finite": Text("{what} is not a finite number", "{what} no es un número finito"),
    "nb_empty": Text("{what} is empty", "{what} está vacío"),
    "nb_missing": Text("missing", "ausente"),
    "nb_odd_lines": Text("a list with lines that are not text", "una lista con líneas que no son texto"),
    "nb_not_cells": Text("The notebook's list of cells holds {count} item(s) that are not cells ({kinds}); they were "
                         "ignored.",
                         "La lista de celdas del cuaderno contiene {count} elemento(s) que no son celdas ({kinds}); se "
                         "ignoraron."),
    "nb_cell_type": Text("Cell {number} has no valid cell type ({detail}); it was not run.",
                         "La celda {number} no tiene un tipo de celda válido ({detail}); no se ejecutó."),
    "nb_cell_source": Text("Cell {number}'s source is not text ({detail}); it was read as text where possible.",
                           "El contenido de la celda {number} no es texto ({detail}); se leyó como texto donde se "
                           "pudo."),
    "nb_bad_metadata": Text("Cell {number} has invalid metadata ({detail}); it was ignored (grades come from the "
                            "instructor's notebook).",
                            "La celda {number} tiene metadatos no válidos ({detail}); se ignoraron (la nota sale del "
                            "cuaderno del profesor)."),
    "nb_unknown_id": Text("Cell {number} carries the nbgrader id “{grade_id}”, which the instructor's notebook does "
                          "not have; that metadata was ignored.",
                          "La celda {number} lleva el identificador de nbgrader «{grade_id}», que el cuaderno del "
                          "profesor no tiene; se ignoraron esos metadatos."),
    "nb_test_missing": Text("The test cell “{grade_id}” had been deleted; it was restored from the instructor's "
                            "notebook.",
                            "La celda de test «{grade_id}» se había borrado; se restauró desde el cuaderno del "
                            "profesor."),
    "nb_test_duplicated": Text("The test cell “{grade_id}” appears {count} times; one copy, restored from the "
                               "instructor's notebook, was kept.",
                               "La celda de test «{grade_id}» aparece {count} veces; se conservó una copia, restaurada "
                               "desde el cuaderno del profesor."),
    "nb_test_retyped": Text("The test cell “{grade_id}” had been turned into a {cell_type} cell; it was restored as "
                            "the instructor's code cell.",
                            "La celda de test «{grade_id}» se había convertido en una celda {cell_type}; se restauró "
                            "como la celda de código del profesor."),
    "nb_test_points": Text("The test cell “{grade_id}” claims {claimed} points; it is worth {points:g} (the "
                           "instructor's notebook), and that is what counts.",
                           "La celda de test «{grade_id}» declara {claimed} puntos; vale {points:g} (el cuaderno del "
                           "profesor), y eso es lo que cuenta."),
    "nb_test_edited": Text("The test cell “{grade_id}” had been edited; the instructor's version was restored (the "
                           "edits were not run).",
                           "La celda de test «{grade_id}» se había modificado; se restauró la versión del profesor "
                           "(los cambios no se ejecutaron)."),
    "nb_answer_duplicated": Text("The answer cell “{grade_id}” appears {count} times; all of them were run, in order "
                                 "(the last definition of a name counts).",
                                 "La celda de respuesta «{grade_id}» aparece {count} veces; se ejecutaron todas, en "
                                 "orden (cuenta la última definición de cada nombre)."),
    "nb_answer_retyped": Text("The answer cell “{grade_id}” had been turned into a {cell_type} cell, so its code was "
                              "not run; turn it back into a code cell.",
                              "La celda de respuesta «{grade_id}» se había convertido en una celda {cell_type}, así que "
                              "su código no se ejecutó; vuelve a convertirla en celda de código."),
    "nb_py_submission": Text("The submission is a .py file ({path}); its code was graded, and this notebook is the "
                             "released one with the test cells' results.",
                             "La entrega es un fichero .py ({path}); se corrigió su código, y este cuaderno es el "
                             "publicado con los resultados de las celdas de test."),
    "nb_unreadable": Text("The submitted notebook could not be read: {error} This is the released notebook, with the "
                          "test cells' results.",
                          "No se pudo leer el cuaderno entregado: {error} Este es el cuaderno publicado, con los "
                          "resultados de las celdas de test."),
    "nb_note_title": Text("Note from the grader (this cell is not graded):",
                          "Nota del corrector (esta celda no se califica):"),
    "not_recorded": Text("Graded, but its result could not be recorded ({detail}); run `grader grade` again to record "
                         "it.",
                         "Corregida, pero su resultado no se pudo registrar ({detail}); vuelve a ejecutar `grader "
                         "grade` para registrarlo."),
    "syntax_error": Text("Syntax error in {where}, line {line}: {detail}. {text}",
                         "Error de sintaxis en {where}, línea {line}: {detail}. {text}"),
    "load_raised": Text("Your code raised {exc} while running its top level{loc}: {detail}",
                        "Tu código lanzó {exc} al ejecutar su nivel superior{loc}: {detail}"),
    "numpy_only": Text(" This exercise is graded with NumPy and the standard library only; put imports for your own "
                       "experiments under `if __name__ == \"__main__\":`.",
                       " Este ejercicio se corrige solo con NumPy y la biblioteca estándar; pon las importaciones de tus "
                       "propios experimentos bajo `if __name__ == \"__main__\":`."),
    "load_timeout": Text("Your code did not finish loading within {seconds:g} s (an infinite loop or a long computation at top level?).",
                         "Tu código no terminó de cargarse en {seconds:g} s (¿un bucle infinito o un cálculo largo en el nivel superior?)."),
    "load_crash": Text("Your code stopped the Python process while loading: {reason}.",
                       "Tu código detuvo el proceso de Python al cargarse: {reason}."),
    # a notebook's broken cells: skipped (syntax error) or stopped (raised at top level), the others graded
    "load_timeout_cell": Text("Your code did not finish loading within {seconds:g} s: cell {cell} was still running "
                              "(an infinite loop or a long computation at top level?).",
                              "Tu código no terminó de cargarse en {seconds:g} s: la celda {cell} seguía ejecutándose "
                              "(¿un bucle infinito o un cálculo largo en el nivel superior?)."),
    "load_crash_cell": Text("Your code stopped the Python process while loading, in cell {cell}: {reason}.",
                            "Tu código detuvo el proceso de Python al cargarse, en la celda {cell}: {reason}."),
    "cell_syntax_skipped": Text("Cell {cell} has a syntax error{at}: {detail}{text}; it was skipped, the other cells "
                                "were graded.",
                                "La celda {cell} tiene un error de sintaxis{at}: {detail}{text}; se omitió y se "
                                "corrigieron las demás celdas."),
    "cell_raised_skipped": Text("Cell {cell} raised {exc}{loc}: {detail}; the rest of that cell did not run, the other "
                                "cells were graded.",
                                "La celda {cell} lanzó {exc}{loc}: {detail}; el resto de esa celda no se ejecutó y se "
                                "corrigieron las demás celdas."),
    "cell_syntax_too": Text("Cell {cell} also has a syntax error{at}: {detail}{text}.",
                            "La celda {cell} también tiene un error de sintaxis{at}: {detail}{text}."),
    "cell_raised_too": Text("Cell {cell} also raised {exc}{loc}: {detail}.",
                            "La celda {cell} también lanzó {exc}{loc}: {detail}."),
    "at_line": Text(" at line {line}", " en la línea {line}"),
    "broken_syntax": Text("cell {cell} was skipped: syntax error{at}", "se omitió la celda {cell}: error de sintaxis{at}"),
    "broken_raised": Text("cell {cell} raised {exc} before defining it",
                          "la celda {cell} lanzó {exc} antes de definirlo"),
    "not_defined_broken": Text("`{name}` is not defined ({reason}).", "`{name}` no está definido ({reason})."),
    "name_broken": Text("; `{name}` is missing because {reason}.", "; falta `{name}` porque {reason}."),
    "not_loaded": Text("Not run: the submission could not be loaded.",
                       "No ejecutado: no se pudo cargar la entrega."),
    "none_defined": Text("None of the names this exercise asks for is defined ({names}).",
                         "No está definido ninguno de los nombres que pide este ejercicio ({names})."),
    # points, as `grader check` and the check cells say them
    "points_all": Text("Total: {score:g} / {max:g} points", "Total: {score:g} / {max:g} puntos"),
    "points_public": Text("Total: {score:g} / {max:g} public points", "Total: {score:g} / {max:g} puntos públicos"),
    "points_hidden": Text(" ({hidden:g} more are hidden and graded by your instructor)",
                          " (otros {hidden:g} son ocultos y los corrige tu profesor)"),
    # where the student's code raised
    "loc_cell": Text(" (cell {cell}, line {line})", " (celda {cell}, línea {line})"),
    "loc_kernel_cell": Text(" (in {function}, line {line} of its cell)", " (en {function}, línea {line} de su celda)"),
    "loc_file": Text(" ({file}, line {line})", " ({file}, línea {line})"),
    "looks_like": Text(" It looks like exercise {other} ({slug}): check it with `grader check {other} FILE`.",
                       " Parece el ejercicio {other} ({slug}): compruébalo con `grader check {other} FICHERO`."),
    # grader check: which file
    "check_no_file": Text("{path} does not exist: give the path of your notebook or .py file (or run `grader check "
                          "EX` in its folder).",
                          "{path} no existe: indica la ruta de tu cuaderno o fichero .py (o ejecuta `grader check EX` "
                          "en su carpeta)."),
    "check_two_files": Text("Note: {graded} and {other} are both here and their code differs; checking {graded}, the "
                            "one modified last. To check the other one: grader check {ex} {other}",
                            "Aviso: aquí están {graded} y {other} y su código es distinto; se comprueba {graded}, el "
                            "modificado más recientemente. Para comprobar el otro: grader check {ex} {other}"),
    # course commands
    "not_a_course": Text("{path} is not a course folder (no nbgrader_config.py): run `grader init {path}` first, "
                         "or pass --course DIR.",
                         "{path} no es la carpeta de un curso (no tiene nbgrader_config.py): ejecuta antes "
                         "`grader init {path}`, o usa --course CARPETA."),
    # grader grade stopped by Ctrl-C, and the run after it
    "grade_stopped": Text("Stopped: {saved} of {total} graded and saved in {folder}; run the same command again to "
                          "grade the other {left} (already graded ones are skipped; --force regrades all).",
                          "Detenido: {saved} de {total} corregidas y guardadas en {folder}; vuelve a ejecutar la "
                          "misma orden para corregir las otras {left} (las ya corregidas se omiten; --force las "
                          "vuelve a corregir todas)."),
    "grade_stopped_all": Text("Stopped: all {total} graded and saved in {folder}; run the same command again to "
                              "finish (nothing is graded twice).",
                              "Detenido: las {total} corregidas y guardadas en {folder}; vuelve a ejecutar la misma "
                              "orden para terminar (nada se corrige dos veces)."),
    "grade_resumed": Text("Resuming an unfinished run: {n} of {total} already graded in {folder} are kept "
                          "(--force regrades them).",
                          "Se reanuda una ejecución sin terminar: se conservan las {n} de {total} ya corregidas en "
                          "{folder} (--force las vuelve a corregir)."),
    # grader demo
    "demo_refused": Text("{path} exists and is not a demo course made by `grader demo`: nothing was changed. "
                         "Give a new folder (`grader demo my-demo`) or remove {path} yourself.",
                         "{path} existe y no es un curso de demostración creado por `grader demo`: no se ha cambiado "
                         "nada. Indica una carpeta nueva (`grader demo mi-demo`) o borra {path} tú mismo."),
    "demo_course": Text("{path}: creating an nbgrader course for {exercises}, then validating (solution, student "
                        "version, known mistakes) and releasing each exercise…",
                        "{path}: creando un curso de nbgrader para {exercises}; después se valida (solución, versión "
                        "del estudiante, errores conocidos) y se publica cada ejercicio…"),
    "demo_created": Text("{path}: nbgrader course and gradebook ready ({seconds:.0f} s)",
                         "{path}: curso de nbgrader y libro de calificaciones listos ({seconds:.0f} s)"),
    "gradescope_done": Text("{path}: Gradescope autograder for {ex} (upload it in the assignment's \"Configure "
                            "Autograder\" page; it holds the hidden checks' key: keep it from students)",
                            "{path}: autograder de Gradescope para {ex} (súbelo en la página \"Configure Autograder\" "
                            "de la tarea; contiene la clave de las comprobaciones ocultas: no lo compartas con los "
                            "estudiantes)"),
    "gradescope_build_failed": Text("the Gradescope zip could not be built: {detail}",
                                    "no se pudo construir el zip de Gradescope: {detail}"),
    "gradescope_no_file": Text("No submission for {ex} was found: upload your notebook ({ex}_{slug}.ipynb) or script "
                               "({ex}_{slug}.py).",
                               "No se encontró ninguna entrega de {ex}: sube tu cuaderno ({ex}_{slug}.ipynb) o tu "
                               "script ({ex}_{slug}.py)."),
    "demo_optional_skipped": Text("{ex} (optional) is left out of the demo: {reason}",
                                  "{ex} (optativo) queda fuera de la demo: {reason}"),
    "demo_released": Text("{ex}: validated and released ({seconds:.0f} s)", "{ex}: validado y publicado ({seconds:.0f} s)"),
    "demo_class": Text("{n} students' submissions generated and collected; grading them ({jobs} in parallel):",
                       "Entregas de {n} estudiantes generadas y recogidas; corrigiéndolas ({jobs} en paralelo):"),
    "demo_reports": Text("feedback pages, class reports and the LMS export written ({seconds:.0f} s)",
                         "páginas de retroalimentación, informes de la clase y exportación al LMS escritos "
                         "({seconds:.0f} s)"),
    # progress of a batch (`grader grade`, `grader demo`): a bar on a terminal, these lines elsewhere
    "progress_grading": Text("grading {what}", "corrigiendo {what}"),
    "progress_graded": Text("{what}: {done}/{total} submissions graded ({seconds:.0f} s)",
                            "{what}: {done}/{total} entregas corregidas ({seconds:.0f} s)"),
    # the class table of `grader grade`
    "class_title": Text("{exercise}: {n} submissions", "{exercise}: {n} entregas"),
    "class_student": Text("student", "estudiante"),
    "class_score": Text("score", "nota"),
    "class_failed": Text("failed checks / error", "comprobaciones fallidas / error"),
    "class_none_passed": Text("no check passed ({n} of {n} failed)", "ninguna comprobación superada ({n} de {n} fallidas)"),
    "class_more": Text("… and {n} more", "… y {n} más"),
    "class_summary": Text("{full} at full marks, {partial} with failed checks, {errors} not loaded; mean {mean:.1f} / "
                          "{max:g}",
                          "{full} con la nota máxima, {partial} con comprobaciones fallidas, {errors} sin cargar; "
                          "media {mean:.1f} / {max:g}"),
    # the course secret (hidden checks' key)
    "no_hidden_key": Text("No key for the hidden checks: grade inside a course made by `grader init` (it holds one), "
                          "or set $GRADER_HIDDEN_KEY, or pass --hidden-key-file FILE.",
                          "No hay clave para las comprobaciones ocultas: corrige dentro de un curso creado con "
                          "`grader init` (que tiene una), o define $GRADER_HIDDEN_KEY, o usa --hidden-key-file FICHERO."),
    "no_course_key": Text("The course {course} has no key for the hidden checks: run `grader init {course}` to create "
                          "one (nothing else changes), or set $GRADER_HIDDEN_KEY.",
                          "El curso {course} no tiene clave para las comprobaciones ocultas: ejecuta `grader init "
                          "{course}` para crearla (no cambia nada más), o define $GRADER_HIDDEN_KEY."),
    "hidden_key_unreadable": Text("Cannot read the hidden-check key {path} ({detail}).",
                                  "No se puede leer la clave de las comprobaciones ocultas {path} ({detail})."),
    "hidden_key_exposed": Text("The hidden-check key {path} is readable by others (mode {mode}): run `chmod 600 {path}` "
                               "and consider a new key.",
                               "La clave de las comprobaciones ocultas {path} la pueden leer otros (modo {mode}): "
                               "ejecuta `chmod 600 {path}` y plantéate una clave nueva."),
    "hidden_key_short": Text("The hidden-check key in {path} is shorter than 16 characters: too easy to guess.",
                             "La clave de las comprobaciones ocultas en {path} tiene menos de 16 caracteres: "
                             "demasiado fácil de adivinar."),
    # a check that could not run its code
    "not_defined": Text("`{name}` is not defined.", "`{name}` no está definido."),
    "not_callable": Text("`{name}` is defined but is not a function or class.",
                         "`{name}` está definido pero no es una función ni una clase."),
    "not_implemented": Text("{call} is not implemented yet (it raises NotImplementedError{loc}).",
                            "{call} aún no está implementada (lanza NotImplementedError{loc})."),
    "raised": Text("{call} raised {exc}{loc}: {detail}", "{call} lanzó {exc}{loc}: {detail}"),
    "internal_error": Text("internal grader error: {detail}", "error interno del corrector: {detail}"),
    "killed_worker": Text("Your code stopped the grader's own process (it signalled a process outside its sandbox); "
                          "it was graded alone to be sure, with the same result.",
                          "Tu código detuvo el proceso del propio corrector (envió una señal a un proceso fuera de su "
                          "entorno aislado); se corrigió a solas para asegurarlo, con el mismo resultado."),
    "load_output_cap": Text("Your code printed or wrote more than the grader keeps while loading (a print in a loop at "
                            "top level?).",
                            "Tu código imprimió o escribió más de lo que el corrector guarda al cargarse (¿un print "
                            "dentro de un bucle fuera de las funciones?)."),
    "output_cap": Text("{call} printed or wrote more than the grader keeps (a print in a loop?).",
                       "{call} imprimió o escribió más de lo que el corrector guarda (¿un print dentro de un bucle?)."),
    "timeout": Text("{call} did not return within {seconds:g} s (infinite loop?).",
                    "{call} no terminó en {seconds:g} s (¿bucle infinito?)."),
    "crash": Text("{call} stopped the Python process: {reason}.", "{call} detuvo el proceso de Python: {reason}."),
    # how the student's process ended ({reason} above and in load_crash; autograder.sandbox.Crashed)
    "crash_exit_code": Text("the process exited with code {code}", "el proceso terminó con el código {code}"),
    "crash_no_answer": Text("the process stopped answering", "el proceso dejó de responder"),
    "crash_output_cap": Text("it printed or wrote more than {mb} MB", "imprimió o escribió más de {mb} MB"),
    "crash_cpu": Text("it used more than {seconds} s of CPU time", "usó más de {seconds} s de tiempo de CPU"),
    "crash_segfault": Text("it crashed the interpreter (segmentation fault)",
                           "hizo fallar al intérprete (segmentation fault, violación de segmento)"),
    "crash_killed": Text("it was killed (out of memory, or stopped by the grader)",
                         "fue detenido (sin memoria, o lo detuvo el corrector)"),
    "crash_signal": Text("it was killed by signal {name}", "lo detuvo la señal {name}"),
    "crash_object_lost": Text("the object was lost when the previous call failed",
                              "el objeto se perdió cuando falló la llamada anterior"),
    "crash_not_running": Text("the process is not running", "el proceso no está en marcha"),
    "bad_reply": Text("{call}: {reason}", "{call}: {reason}"),
    # what the grader refuses from the student's process (autograder.sandbox.BadReply's reasons)
    "load_bad_reply": Text("Your code could not be graded while loading: {reason}.",
                           "Tu código no se pudo corregir al cargarse: {reason}."),
    "reply_too_large": Text("it sent back {size}, more than the {limit} the grader accepts for this answer (a few "
                            "times the size of the inputs plus {allowance}); return values of the expected size",
                            "devolvió {size}, más de los {limit} que el corrector acepta para esta respuesta (unas "
                            "veces el tamaño de las entradas más {allowance}); devuelve valores del tamaño esperado"),
    "first_too_large": Text("it sent {size} as its first message, more than the {limit} the grader accepts there",
                            "envió {size} como primer mensaje, más de los {limit} que el corrector acepta ahí"),
    "reply_unreadable": Text("its process sent a message the grader does not accept: {detail}",
                             "su proceso envió un mensaje que el corrector no acepta: {detail}"),
    "reply_not_answer": Text("its process sent a message that is not the answer to the request (only the grader's "
                             "own loop may write to that channel)",
                             "su proceso envió un mensaje que no es la respuesta a la petición (solo el bucle del "
                             "propio corrector puede escribir en ese canal)"),
    "reply_first": Text("its process sent a first message that is neither 'ready' nor a load error",
                        "su proceso envió un primer mensaje que no es ni 'ready' ni un error de carga"),
    "reply_value": Text("the returned value could not be read: {detail}",
                        "no se pudo leer el valor devuelto: {detail}"),
    "wire_format": Text("it does not follow the grader's format ({detail})",
                        "no sigue el formato del corrector ({detail})"),
    "wire_too_large": Text("its header of {size} is larger than the {limit} accepted",
                           "su cabecera de {size} supera los {limit} aceptados"),
    "wire_too_deep": Text("values nested more than {limit} levels deep", "valores anidados a más de {limit} niveles"),
    "wire_too_many_containers": Text("more than {limit} lists and dicts in one message",
                                     "más de {limit} listas y diccionarios en un mensaje"),
    "wire_too_many_values": Text("more than {limit} values in one message (return arrays rather than long lists)",
                                 "más de {limit} valores en un mensaje (devuelve arrays en lugar de listas largas)"),
    "wire_too_many_arrays": Text("more than {limit} arrays in one message", "más de {limit} arrays en un mensaje"),
    "wire_too_many_names": Text("more than {limit} names defined", "más de {limit} nombres definidos"),
    # comparisons
    "unsupported": Text("{what}: returned {detail}, which cannot be read as numbers.",
                        "{what}: devolvió {detail}, que no se puede leer como números."),
    "not_numeric": Text("{what}: expected an array of numbers, got {detail}.",
                        "{what}: se esperaba un array de números y se obtuvo {detail}."),
    "shape": Text("{what}: expected shape {expected}, got {got}.",
                  "{what}: se esperaba la forma {expected} y se obtuvo {got}."),
    "nonfinite": Text("{what}: {count} value(s) are NaN or infinite where finite values were expected (first at index {index}).",
                      "{what}: {count} valor(es) son NaN o infinitos donde se esperaban valores finitos (el primero en el índice {index})."),
    "values": Text("{what}: {count} of {size} values differ; the first at index {index}: expected {expected}, got {got} (max abs error {max_abs:.3g}, max rel error {max_rel:.3g}).",
                   "{what}: {count} de {size} valores difieren; el primero en el índice {index}: se esperaba {expected} y se obtuvo {got} (error abs. máx. {max_abs:.3g}, error rel. máx. {max_rel:.3g})."),
    "dtype_note": Text(" (returned {dtype}; compared at {dtype} precision)", " (devolvió {dtype}; comparado con precisión {dtype})"),
    "mistake": Text(" Likely mistake: {mistake}", " Error probable: {mistake}"),
    "depends": Text("Cannot be checked fairly: it uses your `{other}`, which is wrong here ({detail}). Fix `{other}` first.",
                    "No se puede comprobar con justicia: usa tu `{other}`, que aquí falla ({detail}). Corrige antes `{other}`."),
    "depends_precision": Text("Correct given the float32 values your `{other}` returns (their rounding grows through "
                              "the next layers; float64 would be exact).",
                              "Correcto dados los valores float32 que devuelve tu `{other}` (su redondeo crece en las "
                              "capas siguientes; con float64 sería exacto)."),
    "uses_wrong": Text(" It uses your `{other}`, which is wrong here ({detail}).",
                       " Usa tu `{other}`, que aquí falla ({detail})."),
    "depends_ok": Text("Correct given your `{other}`, which is wrong here ({detail}); this check keeps its points, fix `{other}`.",
                       "Correcto con tu `{other}`, que aquí falla ({detail}); esta comprobación conserva sus puntos, corrige `{other}`."),
    "form_recognised": Text("Recognised the {form} form.", "Reconocida la forma {form}."),
    "warnings_note": Text(" Note: it emitted a RuntimeWarning ({detail}).", " Nota: emitió un RuntimeWarning ({detail})."),
    "passed": Text("ok", "correcto"),
    # the command line (autograder.api's UsageProblem and Refused keys, and the lines the commands print)
    "unknown_exercise": Text("unknown exercise {name} Known exercises: {known}",
                             "ejercicio desconocido {name}. Ejercicios: {known}"),
    "unknown_exercise_close": Text("unknown exercise {name}; did you mean {close}? Known exercises: {known}",
                                   "ejercicio desconocido {name}; ¿querías decir {close}? Ejercicios: {known}"),
    "exercise_no_checks": Text("{ex} ({slug}) has no checks in this version of the grader yet",
                               "{ex} ({slug}) aún no tiene comprobaciones en esta versión del corrector"),
    "check_no_submission": Text("no {ex} submission in {folder} (looked for {ex}_*.ipynb / {ex}_*.py); pass its PATH",
                                "no hay ninguna entrega de {ex} en {folder} (se buscó {ex}_*.ipynb / {ex}_*.py); "
                                "indica su RUTA"),
    "data_unavailable": Text("{detail}", "no se pueden cargar aquí los datos del ejercicio: {detail}"),
    "selfcheck_no_reference": Text("the reference is not installed here ({detail}); selfcheck is an instructor "
                                   "command",
                                   "la implementación de referencia no está instalada aquí ({detail}); selfcheck es "
                                   "una orden del profesor"),
    "student_install_refused": Text("this is the student install; `grader {command}` needs the instructor package",
                                    "esta es la instalación del estudiante; `grader {command}` necesita el paquete del "
                                    "profesor"),
    "warning": Text("warning: {text}", "aviso: {text}"),
    "grade_no_paths": Text("give the submissions' PATHs, or --course DIR",
                           "indica las RUTAS de las entregas, o --course CARPETA"),
    "grade_no_submissions": Text("no {ex} submissions found in {paths}",
                                 "no se encontró ninguna entrega de {ex} en {paths}"),
    "grade_no_course_config": Text("{path} is not a course folder (no nbgrader_config.py)",
                                   "{path} no es la carpeta de un curso (no tiene nbgrader_config.py)"),
    "grade_no_course_submissions": Text("no {ex} submissions under {folder}", "no hay entregas de {ex} en {folder}"),
    "course_busy": Text("another `grader grade` is running on {path}; wait for it to finish",
                        "otro `grader grade` se está ejecutando en {path}; espera a que termine"),
    "grade_course_summary": Text("graded {graded}, already graded {skipped} (use --force to regrade); recorded in "
                                 "{gradebook}",
                                 "corregidas {graded}, ya corregidas antes {skipped} (--force las vuelve a corregir); "
                                 "registradas en {gradebook}"),
    "grade_unrecorded": Text("{n} graded but not recorded", "{n} corregidas pero sin registrar"),
    "grade_unrecorded_hint": Text("(see record_error in their results; run `grader grade` again to record them): "
                                  "{names}",
                                  "(mira record_error en sus resultados; vuelve a ejecutar `grader grade` para "
                                  "registrarlas): {names}"),
    "grade_results": Text("results: {folder}/<student>.json, gradebook: {csv}",
                          "resultados: {folder}/<estudiante>.json, libro de notas: {csv}"),
    "init_no_source": Text("{path} does not exist; run `grader generate {ex}`",
                           "{path} no existe; ejecuta `grader generate {ex}`"),
    "init_done": Text("course {course_id} in {path}: {exercises}", "curso {course_id} en {path}: {exercises}"),
    "release_not_a_course": Text("{path} is not a course folder; run `grader init` first",
                                 "{path} no es la carpeta de un curso; ejecuta antes `grader init`"),
    "released": Text("{ex}: released", "{ex}: publicado"),
    "not_released": Text("{ex}: NOT released", "{ex}: NO publicado"),
    "collect_one_source": Text("give exactly one of --from-folder DIR, --from-zip FILE, --from-exchange",
                               "indica exactamente una de --from-folder CARPETA, --from-zip FICHERO, --from-exchange"),
    "collect_one_source_got": Text("give exactly one of --from-folder DIR, --from-zip FILE, --from-exchange "
                                   "(got {given})",
                                   "indica exactamente una de --from-folder CARPETA, --from-zip FICHERO, "
                                   "--from-exchange (se dieron {given})"),
    "collect_error": Text("error: {text}", "error: {text}"),
    "collect_summary": Text("{collected} collected, {skipped} skipped{ignored} → {folder}",
                            "{collected} recogidas, {skipped} omitidas{ignored} → {folder}"),
    "collect_ignored": Text(", {n} ignored (OS/LMS junk)", ", {n} ignoradas (restos del sistema o del LMS)"),
    "demo_summary": Text("course: {course}\n  gradebook: {gradebook} (nbgrader export, formgrader)\n"
                         "  results: {results}\n  feedback: {feedback}\n  reports: {reports}\n  LMS export: {export}",
                         "curso: {course}\n  libro de calificaciones: {gradebook} (nbgrader export, formgrader)\n"
                         "  resultados: {results}\n  retroalimentación: {feedback}\n  informes: {reports}\n"
                         "  exportación al LMS: {export}"),
    "no_results": Text("no {ex} results in {folder} (run `grader grade {ex} PATH... --out {grades}` first)",
                       "no hay resultados de {ex} en {folder} (ejecuta antes `grader grade {ex} RUTA... --out "
                       "{grades}`)"),
    "no_results_any": Text("no results in {grades} (run `grader grade EXERCISE PATH... --out {grades}` first)",
                           "no hay resultados en {grades} (ejecuta antes `grader grade EJERCICIO RUTA... --out "
                           "{grades}`)"),
    "bad_canvas_assignment": Text("--canvas-assignment {value}: expected EX=ID with a numeric Canvas id",
                                  "--canvas-assignment {value}: se esperaba EJ=ID con un id numérico de Canvas"),
    "bad_record": Text("{detail}", "registro de notas no válido: {detail}"),
    "feedback_written": Text("{n} feedback page(s) in {folder}", "{n} página(s) de retroalimentación en {folder}"),
    "export_plain": Text("wrote {path} ({exercises})", "escrito {path} ({exercises})"),
    "export_moodle": Text("wrote {count} Moodle grading worksheet(s) under {path}",
                          "escritas {count} hojas de calificación de Moodle en {path}"),
    "export_canvas": Text("wrote {path} (Canvas gradebook import)",
                          "escrito {path} (importación al libro de calificaciones de Canvas)"),
    "export_gradescope": Text("wrote {count} Gradescope results.json under {path}",
                              "escritos {count} results.json de Gradescope en {path}"),
    # grading on a Dask cluster (autograder.cluster)
    "cluster_needs_dask": Text(
        "--scheduler needs Dask distributed, which cannot be imported here ({detail}): install the cluster extra "
        "with `{install}` in the nn-grader folder, then run the command again. Nothing was graded.",
        "--scheduler necesita Dask distributed, que no se puede importar aquí ({detail}): instala el extra del "
        "clúster con `{install}` en la carpeta de nn-grader y vuelve a ejecutar la orden. No se ha corregido nada."),
    "cluster_unreachable": Text(
        "Cannot reach the Dask scheduler at {address} ({detail}): start it (`dask scheduler`) or give the address "
        "it prints (tcp://HOST:8786), then run the command again. Nothing was graded.",
        "No se puede contactar con el planificador de Dask en {address} ({detail}): arráncalo (`dask scheduler`) "
        "o indica la dirección que muestra (tcp://HOST:8786) y vuelve a ejecutar la orden. No se ha corregido "
        "nada."),
    "cluster_version": Text(
        "The Dask worker {worker} runs nn-grader {found}, not {version} ({n} worker(s) differ): install this "
        "version on every worker (`{install}`), then run the command again. Nothing was graded.",
        "El trabajador de Dask {worker} ejecuta nn-grader {found}, no {version} ({n} trabajador(es) distintos): "
        "instala esta versión en todos los trabajadores (`{install}`) y vuelve a ejecutar la orden. No se ha "
        "corregido nada."),
}


def t(key: str, lang: str = "en", **fields):
    """Format message ``key`` in ``lang`` (a :class:`Msg` in :data:`BOTH`)."""
    return MESSAGES[key](lang, **fields)


def mistake_msg(mistake_id: str, text: Text, lang: str = BOTH):
    """" Likely mistake: …" naming a known mistake; in :data:`BOTH` languages it carries its id."""
    sentence = t("mistake", lang, mistake=text(lang))
    return Msg(sentence.en, sentence.es, (mistake_id,)) if isinstance(sentence, Msg) else sentence
