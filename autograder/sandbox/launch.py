"""What a student process is started with: its command line, its environment and its standard input.

Standard library only: :mod:`.zygote` starts its template with these before the grader has imported NumPy
(``grader check`` starts the student process while it imports what it needs).
"""
from __future__ import annotations

import marshal

from .paths import CHILD_MODULES, _child_code

#: in the student process's command line (for tools that count those processes); names no path
CHILD_MARK = "nn-grader sandbox child"
#: the student process's whole program text on its command line: it reads the payload (the code,
#: the settings, the cells) from standard input, a file with no name (nothing to find on disk)
BOOTSTRAP = (f"# {CHILD_MARK}\n"
             "import marshal, sys\n"
             "p = marshal.loads(sys.stdin.buffer.read())\n"
             "g = {'__name__': 'sandbox_child'}\n"
             "exec(p.pop('child'), g)\n"
             "g['main'](p)\n")
#: the student process's PATH: the grader's may name private folders (an activated venv, $HOME)
CHILD_PATH = "/usr/local/bin:/usr/bin:/bin"


def child_env(work) -> dict[str, str]:
    """The student process's whole environment (``work``: its own folder, its HOME and TMPDIR)."""
    return {"PATH": CHILD_PATH, "HOME": str(work), "TMPDIR": str(work),
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # Keras exercises: quiet, deterministic, CPU only
            "TF_CPP_MIN_LOG_LEVEL": "3", "TF_DETERMINISTIC_OPS": "1", "TF_ENABLE_ONEDNN_OPTS": "0",
            "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""}


def write_payload(payload, config: dict, cells: list, env: dict | None) -> None:
    """The student process's standard input (a file at offset 0 on return): for a process forked by a
    zygote (``env``: its HOME and TMPDIR are set from it), the settings and the cells; for a new
    interpreter, also child.py and the sandbox's modules."""
    payload.seek(0)
    payload.truncate()
    if env is not None:
        payload.write(marshal.dumps({"config": dict(config, env={"HOME": env["HOME"], "TMPDIR": env["TMPDIR"]}),
                                     "cells": cells}))
    else:
        code = _child_code()
        payload.write(marshal.dumps({"child": code["child"], "config": config, "cells": cells,
                                     "modules": {n: code[n] for n in CHILD_MODULES}}))
    payload.seek(0)
