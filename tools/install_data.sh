#!/usr/bin/env bash
# The course's data sets that do not come with a Python package: Fashion-MNIST (ex12), from Debian's
# `dataset-fashion-mnist` (30 MB, installed in /usr/share/datasets/fashion-mnist). Nothing is downloaded
# at grading time; this runs once, from `make test` / `make demo`.
#   - already there (or $GRADER_FASHION_MNIST set): nothing to do;
#   - root on a machine with apt-get: installs the package;
#   - otherwise: says how to install it and goes on (ex12's tests are then skipped with that reason,
#     unless $GRADER_REQUIRE_FASHION_MNIST is set, as CI sets it).
set -uo pipefail
DIR=/usr/share/datasets/fashion-mnist
if [ -n "${GRADER_FASHION_MNIST:-}" ] || [ -f "$DIR/t10k-labels-idx1-ubyte.gz" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "Installing Fashion-MNIST for ex12 (Debian package dataset-fashion-mnist, 30 MB) ..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist > build/apt.log 2>&1 \
     || { apt-get update -q >> build/apt.log 2>&1 \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >> build/apt.log 2>&1; }; then
    echo "Fashion-MNIST installed in $DIR"
    exit 0
  fi
  echo "Could not install dataset-fashion-mnist (apt's log: build/apt.log)."
else
  echo "Fashion-MNIST is not installed: ex12 needs it. Install it with  sudo apt install dataset-fashion-mnist"
  echo "(or set GRADER_FASHION_MNIST to a folder with its four .gz files, or to a Keras-format .npz)."
fi
if [ -n "${GRADER_REQUIRE_FASHION_MNIST:-}" ]; then
  echo "GRADER_REQUIRE_FASHION_MNIST is set: stopping." >&2
  exit 1
fi
exit 0
