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


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``format`` fills ``{fields}``."""

    en: str
    es: str

    def __call__(self, lang: str = "en", **fields) -> str:
        template = self.es if lang == "es" else self.en
        return template.format(**fields) if fields else template


MESSAGES: dict[str, Text] = {
    # loading
    "missing_file": Text("No submission found at {path}.", "No se encontró ninguna entrega en {path}."),
    "bad_suffix": Text("{path} is neither a notebook (.ipynb) nor a Python file (.py).",
                       "{path} no es ni un cuaderno (.ipynb) ni un fichero Python (.py)."),
    "not_utf8": Text("{path} is not UTF-8 text.", "{path} no es texto UTF-8."),
    "broken_notebook": Text("{path} is not a valid notebook ({detail}). Re-download it or restore it from a checkpoint.",
                            "{path} no es un cuaderno válido ({detail}). Descárgalo de nuevo o recupéralo de un punto de control."),
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
    "not_loaded": Text("Not run: the submission could not be loaded.",
                       "No ejecutado: no se pudo cargar la entrega."),
    "none_defined": Text("None of the names this exercise asks for is defined ({names}).",
                         "No está definido ninguno de los nombres que pide este ejercicio ({names})."),
    # grader demo
    "demo_refused": Text("{path} exists and is not a demo course made by `grader demo`: nothing was changed. "
                         "Give a new folder (`grader demo my-demo`) or remove {path} yourself.",
                         "{path} existe y no es un curso de demostración creado por `grader demo`: no se ha cambiado "
                         "nada. Indica una carpeta nueva (`grader demo mi-demo`) o borra {path} tú mismo."),
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
    "bad_reply": Text("{call}: {reason}", "{call}: {reason}"),
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
    "depends_ok": Text("Correct given your `{other}`, which is wrong here ({detail}); this check keeps its points, fix `{other}`.",
                       "Correcto con tu `{other}`, que aquí falla ({detail}); esta comprobación conserva sus puntos, corrige `{other}`."),
    "form_recognised": Text("Recognised the {form} form.", "Reconocida la forma {form}."),
    "warnings_note": Text(" Note: it emitted a RuntimeWarning ({detail}).", " Nota: emitió un RuntimeWarning ({detail})."),
    "passed": Text("ok", "correcto"),
}


def t(key: str, lang: str = "en", **fields) -> str:
    """Format message ``key`` in ``lang``."""
    return MESSAGES[key](lang, **fields)
