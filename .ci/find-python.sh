#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 for the virtualenv: PATH first, then pyenv.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for candidate in python3.13 python3.12 python3; do
  if path=$(command -v "$candidate" 2>/dev/null) && ok "$path"; then echo "$path"; exit 0; fi
done
PYENV=$(command -v pyenv || echo "$HOME/.pyenv/bin/pyenv")
if [ -x "$PYENV" ]; then
  for minor in 3.13 3.12; do
    if version=$("$PYENV" latest "$minor" 2>/dev/null); then
      path="$("$PYENV" root)/versions/$version/bin/python3"
      if ok "$path"; then echo "$path"; exit 0; fi
    fi
  done
fi
echo "No Python >= 3.12 found (PATH or pyenv). Install one, e.g. 'pyenv install 3.12'." >&2
exit 1
