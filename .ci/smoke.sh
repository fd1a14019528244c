#!/usr/bin/env bash
# Install the wheel with a plain `pip install` (no extras) into a fresh virtual environment in a
# temporary folder, then run .ci/smoke.py with it from outside the checkout: `erasmo --version`,
# a trade, the window under Xvfb, and the sync server. Builds with .venv's hatchling (make test
# installs it), so the build needs no network; the install takes erasmo's dependencies from the
# package index (or pip's cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
python="${PYTHON:-python3}"
builder="${BUILDER:-.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/erasmo-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT

started=$SECONDS
"$builder" -m pip wheel --no-deps --no-build-isolation --quiet -w "$work/dist" .
"$python" -m venv "$work/venv"
# --no-compile: byte-compiling pandas and PySide6 up front takes longer than the smoke test.
"$work/venv/bin/python" -m pip install --quiet --no-compile "$work"/dist/erasmo-*.whl
echo "smoke: built and installed the wheel in $((SECONDS - started)) s"
cd "$work"
"$work/venv/bin/python" "$root/.ci/smoke.py"
