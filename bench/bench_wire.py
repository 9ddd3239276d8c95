"""Wire benchmark: what a hostile submission can cost the grader through the reply channel.

Each attack of ``tests/wire_attacks.py`` is a real ex3 (dropout) submission whose code writes its
own frames on the student process's reply descriptor: a 100 MB frame of nested empty lists, deep
nesting, a forged error reply with a 150 MB message, 400 000 tiny blobs, one blob shared by 2 000
arrays, a frame that declares 500 MB and sends 1 KB, forged ``ready`` messages, junk bytes, a frame
trickled one byte at a time, a forged reply followed by a sleep, and more. Beside them, as the
baseline, the solved ex3 graded the same way.

For each submission a fresh grader subprocess imports the grader, grades the file with
``autograder.grading.grade_file`` (public and hidden checks, ex3's default limits unless
``--fast``) and reports its own figures: peak RSS (``ru_maxrss`` of RUSAGE_SELF: the grader
process only, not the student processes) and CPU time (user + system of RUSAGE_SELF, whole
process, imports included), wall time, score and the size of the result's JSON. The table shows
them beside the baseline's and the differences. Nothing is asserted: the figures are printed.

Usage (from the repository root): ``PYTHONPATH=. python bench/bench_wire.py [--fast] [ATTACK ...]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import wire_attacks  # noqa: E402

#: run in each fresh grader subprocess: argv = path, "fast"|"default"
GRADER = r"""
import json, resource, sys, time
t0 = time.monotonic()
from autograder.grading import grade_file
from autograder.sandbox import Limits
path, mode = sys.argv[1], sys.argv[2]
limits = Limits(load_timeout_s=10, call_timeout_s=2.0, check_timeout_s=6.0, total_timeout_s=30.0) \
    if mode == "fast" else None
result = grade_file("ex3", path, hidden=True, lang="en", limits=limits)
usage = resource.getrusage(resource.RUSAGE_SELF)
data = result.to_dict()
failed = [c["message"] for c in data["checks"] if not c["passed"]]
print(json.dumps({"rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "wall_s": time.monotonic() - t0, "score": data["score"], "max_score": data["max_score"],
                  "result_kb": len(json.dumps(data)) / 1024,
                  "message": data["error"] or (failed[0] if failed else "full marks")}))
"""


def grade(path: Path, mode: str) -> dict:
    env = dict(os.environ, GRADER_HIDDEN_KEY="bench-wire-key", GRADER_LANG="en",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", GRADER, str(path), mode], capture_output=True, text=True,
                          env=env, timeout=900)
    if proc.returncode != 0:
        return {"failed": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("attacks", nargs="*", help=f"among: {', '.join(wire_attacks.ATTACKS)} (default: all)")
    parser.add_argument("--fast", action="store_true", help="2 s per call instead of ex3's 10 s (timeouts end sooner)")
    args = parser.parse_args(argv)
    names = args.attacks or list(wire_attacks.ATTACKS)
    unknown = [n for n in names if n not in wire_attacks.ATTACKS]
    if unknown:
        parser.error(f"unknown attack(s): {', '.join(unknown)}")
    mode = "fast" if args.fast else "default"
    print(f"ex3 graded by grade_file (public + hidden checks, {mode} limits), one fresh grader process each; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    header = f"{'submission':26} {'peak RSS':>9} {'ΔRSS':>7} {'CPU':>7} {'ΔCPU':>7} {'wall':>6} {'score':>9} " \
             f"{'result':>8}  message"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-wire-") as tmp:
        rows = []
        for name in ["baseline (correct)", *names]:
            path = Path(tmp) / name.split()[0] / "ex3.py"
            path.parent.mkdir()
            path.write_text(wire_attacks.solved() if name.startswith("baseline") else wire_attacks.submission(name))
            row = grade(path, mode)
            rows.append((name, row))
            base = rows[0][1]
            if "failed" in row:
                print(f"{name:26} the grader process failed:\n{row['failed']}")
                continue
            d_rss = row["rss_mb"] - base["rss_mb"]
            d_cpu = row["cpu_s"] - base["cpu_s"]
            print(f"{name:26} {row['rss_mb']:6.1f} MB {d_rss:+6.1f} {row['cpu_s']:6.2f}s {d_cpu:+6.2f}s "
                  f"{row['wall_s']:5.1f}s {row['score']:4g}/{row['max_score']:<4g} {row['result_kb']:5.1f} KB  "
                  f"{row['message'][:110]}", flush=True)
    good = [r for _, r in rows[1:] if "failed" not in r]
    if good:
        print(f"\nworst attack: peak RSS {max(r['rss_mb'] for r in good):.1f} MB "
              f"(baseline {rows[0][1]['rss_mb']:.1f} MB), CPU {max(r['cpu_s'] for r in good):.2f} s "
              f"(baseline {rows[0][1]['cpu_s']:.2f} s), largest result {max(r['result_kb'] for r in good):.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
