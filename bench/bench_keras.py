"""Benchmark: grading the Keras exercise ex7, per submission, as a class is graded (issue 15: <= 12 s).

In the same run:
1. `--n` copies of ex7's solution graded one after the other by one worker (`grade_batch --jobs 1`, public
   and hidden checks), with the warm template (a student process forked from one that has imported
   TensorFlow and Keras) and with `GRADER_ZYGOTE=0` (a new interpreter, TensorFlow imported each time);
   the first submission of a run pays the template's start.
2. What the XOR check's training costs: 500 epochs of one batch of the 4 points through `model.fit`
   (how it was trained before) vs the same 500 updates as 500 steps of one epoch (`keras_fit_steps`,
   how it is trained now), in this process, on the solution's model.

Usage: python bench/bench_keras.py [--n 3]
Prints the figures and each submission's score; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GRADE = """
import sys, time
from pathlib import Path
from autograder.batch import grade_batch
from autograder.submissions import Submission
subs = [Submission(p.parent.name, p) for p in sorted(Path(sys.argv[1]).glob("*/*.py"))]
times = []
def tick(rec):
    times.append((time.perf_counter(), rec.score))
start = time.perf_counter()
grade_batch("ex7", subs, Path(sys.argv[2]), jobs=1, hidden_key="bench-keras-key", progress=tick)
last = start
for when, score in times:
    print(f"{when - last:.1f} {score:g}")
    last = when
"""


def per_submission(folder: Path, out: Path, env: dict) -> list[tuple[float, str]]:
    proc = subprocess.run([sys.executable, "-c", GRADE, str(folder), str(out)], capture_output=True, text=True,
                          env=env, check=True)
    return [tuple(line.split()) for line in proc.stdout.split("\n") if line.strip()]


def xor_training() -> tuple[float, float]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import importlib.util

    from autograder.exercises import ex7
    from autograder.sandbox import helpers

    spec = importlib.util.spec_from_file_location("solution", next((ROOT / "solutions").glob("ex7_*.py")))
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)
    out = []
    for fit in ("epochs", "steps"):
        helpers.seed_everything(ex7.SEED)
        model = solution.build_xor_model()
        targets = ex7._targets(ex7.XOR_Y, model.output_shape[-1])
        start = time.perf_counter()
        if fit == "epochs":
            helpers.keras_fit(model, ex7.XOR_X, targets, epochs=ex7.XOR_EPOCHS, batch_size=4, seed=ex7.SEED)
        else:
            helpers.keras_fit_steps(model, ex7.XOR_X, targets, steps=ex7.XOR_EPOCHS, seed=ex7.SEED)
        out.append(time.perf_counter() - start)
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    args = parser.parse_args()
    solution = next((ROOT / "solutions").glob("ex7_*.py"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        for i in range(args.n):
            (folder / f"s{i}").mkdir(parents=True)
            (folder / f"s{i}" / solution.name).write_text(solution.read_text())
        for name, extra in (("with the template", {}), ("GRADER_ZYGOTE=0 (new interpreter)", {"GRADER_ZYGOTE": "0"})):
            rows = per_submission(folder, Path(tmp) / name.split()[0], dict(env, **extra))
            print(f"ex7, {args.n} solutions by one worker, {name}: " +
                  ", ".join(f"{s} s ({score}/15)" for s, score in rows))
    epochs, steps = xor_training()
    print(f"XOR training, 500 updates: 500 epochs of model.fit {epochs:.1f} s; 500 steps in one epoch {steps:.1f} s")


if __name__ == "__main__":
    main()
