#!/usr/bin/env bash
# The dependency floors: a fresh environment with every dependency of pyproject.toml at its
# declared floor (scripts/floors.py writes the constraints) runs a subset of the suite that
# imports every module (loading, validating with the three engines, releases and their notes,
# SQL, the CLI, the Arrow workarounds), so the floors stay true. ~1 min to install, ~2 to run.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOORS_TESTS=(tests/test_floors.py tests/test_api.py tests/test_v2.py tests/test_release.py
  tests/test_publish.py tests/test_sql.py tests/test_fast_engine.py tests/test_scale.py
  tests/test_cli.py)
floors="$(mktemp -d)"
trap 'rm -rf "$floors"' EXIT
python3 scripts/floors.py --extra sql "$floors/constraints.txt"
python3 -m venv "$floors/venv"
"$floors/venv/bin/pip" install -q -c "$floors/constraints.txt" -e '.[sql]' \
  pytest pytest-xdist hypothesis psutil
"$floors/venv/bin/python" -m pytest -p no:cacheprovider "${FLOORS_TESTS[@]}"
