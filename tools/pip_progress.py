"""A long `pip install`, told in a few lines (what `make` shows while it installs `.venv/`).

    pip install --progress-bar off -e '.[all]' | python tools/pip_progress.py

Reads pip's standard output and prints: each package of 5 MB or more as it is fetched (those are
what the minutes go to: TensorFlow, SciPy…), a count every 25 packages, a line when pip starts
installing and one when it is done, each with the time since the start. The rest of pip's chatter
is dropped; its warnings and errors go to standard error and are not touched. Standard library
only: it runs before the virtual environment exists.
"""
from __future__ import annotations

import os
import re
import sys
import time

BIG_MB = 5.0
EVERY = 25
SIZE = re.compile(r"\(([\d.]+) (kB|MB|GB)\)\s*$")
UNITS = {"kB": 1e-3, "MB": 1.0, "GB": 1e3}


def _wheel(text: str) -> str:
    """"tensorflow_cpu-2.21.0-cp311-….whl" -> "tensorflow_cpu 2.21.0"."""
    name = os.path.basename(text.split()[0])
    parts = name.split("-")
    return f"{parts[0]} {parts[1]}" if name.endswith((".whl", ".tar.gz", ".zip")) and len(parts) > 1 else name


def _megabytes(line: str, path: str | None) -> float | None:
    found = SIZE.search(line)
    if found:
        return float(found[1]) * UNITS[found[2]]
    if path and os.path.isfile(path):
        return os.path.getsize(path) / 1e6
    return None


def main(lines=None, out=None) -> int:
    lines = sys.stdin if lines is None else lines
    out = sys.stdout if out is None else out
    start = time.monotonic()
    seen = 0

    def say(text: str) -> None:
        print(f"  {text} ({time.monotonic() - start:.0f} s)", file=out, flush=True)

    for line in lines:
        line = line.rstrip("\n")
        fetched = re.match(r"\s*(?:Downloading|Using cached|Processing) (\S+)", line)
        if line.startswith(("Collecting ", "Processing ")):
            seen += 1
            if seen % EVERY == 0:
                say(f"{seen} packages resolved so far")
        if fetched and ".metadata" not in line:
            target = fetched[1]
            size = _megabytes(line, target if line.lstrip().startswith("Processing") else None)
            if size is not None and size >= BIG_MB:
                say(f"{_wheel(target)}: {size:.0f} MB")
        elif line.startswith("Installing collected packages:"):
            count = len(line.split(":", 1)[1].split(","))
            say(f"installing {count} packages; TensorFlow is the slowest to unpack")
        elif line.startswith("Successfully installed"):
            say(f"done: {len(line.split()) - 2} packages installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
