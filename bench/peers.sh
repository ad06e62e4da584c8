#!/usr/bin/env bash
# Install the peer linters (Checkov, cfn-lint) into their OWN venv, never the project's.
#   bench/peers.sh            # -> ${CALICO_LINT_BENCH_PEERS:-~/.cache/calico-lint-bench/peers-venv}
# bench/run.py looks there for bin/checkov and bin/cfn-lint and skips a peer that is missing.
set -euo pipefail
venv="${CALICO_LINT_BENCH_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/calico-lint-bench/peers-venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q 'checkov>=3.2,<4' 'cfn-lint>=1.20,<2'
"$venv/bin/checkov" --version
"$venv/bin/cfn-lint" --version
echo "peers installed in $venv"
