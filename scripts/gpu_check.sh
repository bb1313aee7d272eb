#!/usr/bin/env bash
# GPU checks of rendered projects, in two steps (see scripts/gpu_check.py):
#   scripts/gpu_check.sh render [DIR]           any machine with the generator installed
#   scripts/gpu_check.sh run [DIR] [REPORT]     a CUDA machine with torch, no network needed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
if [ "${1:-}" = render ] && [ -x "$here/../.venv/bin/python" ]; then
  python="$here/../.venv/bin/python"
fi
exec "$python" "$here/gpu_check.py" "$@"
