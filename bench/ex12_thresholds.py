"""ex12's accuracy threshold, measured: the solution's search over many seeds beside a weak baseline (the same
search fallen into the Keras wrapper's fit_kwargs trap: one epoch per model), on the data the grader draws.

    .venv/bin/python bench/ex12_thresholds.py [N_SEEDS] [--baseline-seeds M]

For split seed s = 0…N−1 (search seed 1000 + s) it prints one line per run, then min / 5th percentile /
mean / standard deviation / max of the test accuracy and the search time, for the solution and for the
baseline (M seeds, default N). Runs in this process, without the sandbox (the accuracy does not depend on
it); about 10 s per solution seed on an idle 2-core machine. Needs Fashion-MNIST (tools/install_data.sh).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from autograder.exercises.ex12 import THRESHOLD, fashion_split  # noqa: E402

SOLUTION = ROOT / "solutions" / "ex12_keras_search.py"
TRAP = ('classifier = SKLearnClassifier(model=build_model)\n',
        'classifier = SKLearnClassifier(model=build_model, fit_kwargs={"epochs": 8, "batch_size": 64, "verbose": 0})\n')
TRAP_FIT = (".fit(X, y, epochs=8, batch_size=64, verbose=0)", ".fit(X, y)")


def load(trap: bool):
    source = SOLUTION.read_text(encoding="utf-8")
    if trap:
        for old, new in (TRAP, TRAP_FIT):
            assert old in source, old
            source = source.replace(old, new)
    spec = importlib.util.spec_from_loader("ex12_bench_trap" if trap else "ex12_bench", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, str(SOLUTION), "exec"), module.__dict__)
    return module


def measure(module, seeds, label):
    accuracies, seconds = [], []
    for s in seeds:
        split = fashion_split(s)
        start = time.perf_counter()
        found = module.search(split.X_train, split.y_train, 1000 + s)
        seconds.append(time.perf_counter() - start)
        accuracies.append(float(np.mean(np.asarray(found.predict(split.X_test)) == split.y_test)))
        print(f"{label} seed {s}: test accuracy {accuracies[-1]:.3f}, best {found.best_params_}, "
              f"{seconds[-1]:.1f} s", flush=True)
    a, t = np.array(accuracies), np.array(seconds)
    below = int(np.sum(a < THRESHOLD))
    print(f"{label}: {a.size} seeds, test accuracy min {a.min():.3f}, 5th percentile {np.percentile(a, 5):.3f}, "
          f"mean {a.mean():.3f}, sd {a.std(ddof=1):.4f}, max {a.max():.3f}; {below} below the threshold "
          f"{THRESHOLD:.2f}; search time mean {t.mean():.1f} s, max {t.max():.1f} s", flush=True)
    return a


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_seeds", nargs="?", type=int, default=50)
    parser.add_argument("--baseline-seeds", type=int, default=None)
    args = parser.parse_args()
    solution = measure(load(trap=False), range(args.n_seeds), "solution")
    baseline = measure(load(trap=True), range(args.baseline_seeds or args.n_seeds), "fit_kwargs trap")
    from math import erf, sqrt

    z = (THRESHOLD - solution.mean()) / solution.std(ddof=1)
    print(f"normal approximation: a correct search fails a hidden draw with probability "
          f"{0.5 * (1 + erf(z / sqrt(2))):.1e}; the baseline's mean is {baseline.mean():.3f}")


if __name__ == "__main__":
    main()
