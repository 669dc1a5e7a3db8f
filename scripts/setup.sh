#!/usr/bin/env bash
# Set up ce_platform on Debian or Ubuntu, from a bare machine with Python 3.11+ to a ready .venv.
#
#   scripts/setup.sh run    system libraries for PDF certificates (Pango, HarfBuzz-Subset, fonts),
#                           .venv with the app pinned by constraints.txt, .env with a secret key
#   scripts/setup.sh test   the same plus Chromium (browser tests), Redis, the test extras, and
#                           Node with the tools under tools/*/ pinned by their package-lock.json
#   scripts/setup.sh lock   regenerate constraints.txt after changing setup.cfg (extra arguments
#                           go to `uv pip compile`, e.g. --upgrade or --upgrade-package NAME)
#
# Every step checks before it acts, so a second run does nothing and takes about a second.
# System packages are installed with apt-get when running as root or with passwordless sudo;
# otherwise the script prints the command to run and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-}
case "$MODE" in
  run | test | lock) shift ;;
  *)
    echo "usage: scripts/setup.sh run|test|lock" >&2
    exit 2
    ;;
esac

VENV=.venv
CONSTRAINTS=constraints.txt
ROOT=$(pwd)

say() { echo "setup: $*"; }
fail() {
  echo "setup: $*" >&2
  exit 1
}

check_python() {
  command -v python3 >/dev/null || fail "python3 is not installed: install Python 3.11 or newer."
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    fail "ce_platform needs Python 3.11 or newer; python3 here is $(python3 -V 2>&1)."
}

venv_works() {
  [ -x "$VENV/bin/python" ] &&
    "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

# The Debian/Ubuntu packages this mode needs that are not installed yet, one per line.
missing_packages() {
  local wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
  [ "$MODE" = test ] && wanted+=(redis-server)
  # Debian's own python3 creates virtualenvs only with python3-venv.
  if ! venv_works && [[ "$(readlink -f "$(command -v python3)")" == /usr/bin/python3* ]]; then
    wanted+=(python3-venv)
  fi
  local package
  for package in "${wanted[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" = installed ] ||
      echo "$package"
  done
  if [ "$MODE" = test ] && ! command -v chromium >/dev/null &&
    ! command -v chromium-browser >/dev/null; then
    echo chromium
  fi
  # Node and npm may come from Debian (two packages) or from NodeSource (npm inside nodejs).
  if [ "$MODE" = test ] && ! command -v npm >/dev/null; then
    command -v node >/dev/null || echo nodejs
    echo npm
  fi
  return 0
}

install_system_packages() {
  if ! command -v dpkg-query >/dev/null; then
    say "not a Debian or Ubuntu machine: install Pango, HarfBuzz-Subset and DejaVu fonts$(
      [ "$MODE" = test ] && echo ", Chromium and Redis"
    ) with your package manager."
    return 0
  fi
  local packages
  mapfile -t packages < <(missing_packages)
  [ "${#packages[@]}" -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      local prefix="" who="as root"
      command -v sudo >/dev/null && prefix="sudo " who="with sudo"
      {
        echo "setup: these system packages are missing: ${packages[*]}"
        echo "setup: this user cannot install them (not root, no passwordless sudo). Run $who:"
        echo
        echo "    ${prefix}apt-get update && ${prefix}apt-get install -y --no-install-recommends ${packages[*]}"
        echo
        echo "setup: then run this command again."
      } >&2
      exit 1
    fi
  fi

  say "installing system packages: ${packages[*]}"
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
  "${apt[@]}" update -qq
  # Ubuntu ships Chromium as chromium-browser; Debian as chromium.
  if [[ " ${packages[*]} " == *" chromium "* ]] &&
    ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    packages=("${packages[@]/#chromium/chromium-browser}")
  fi
  "${apt[@]}" install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

create_venv() {
  venv_works && return 0
  say "creating the virtualenv in $VENV"
  python3 -m venv --clear "$VENV"
}

# pip resolves only the versions pinned in constraints.txt; a stamp skips the install next time.
install_app() {
  local extras=""
  [ "$MODE" = test ] && extras="[test,redis]"
  local stamp="$VENV/.ce-setup-$MODE"
  local want
  want=$(cat setup.cfg "$CONSTRAINTS" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] &&
    (cd / && "$ROOT/$VENV/bin/python" -c 'import ce_platform' 2>/dev/null); then
    return 0
  fi
  say "installing ce_platform$extras with the versions pinned in $CONSTRAINTS"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" -e ".$extras"
  echo "$want" >"$stamp"
}

# The Node tools the tests run (each tools/<name>/ with a package-lock.json), pinned by npm ci.
install_node_tools() {
  [ "$MODE" = test ] || return 0
  local lock dir stamp want
  for lock in tools/*/package-lock.json; do
    [ -f "$lock" ] || continue
    dir=$(dirname "$lock")
    stamp="$dir/node_modules/.ce-setup"
    want=$(cat "$dir/package.json" "$lock" | sha256sum | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && continue
    say "installing the Node tools in $dir with the versions pinned in its package-lock.json"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" >"$stamp"
  done
}

write_dotenv() {
  [ -f .env ] && return 0
  say "writing .env with a new CE_SECRET_KEY"
  (umask 077 && echo "CE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >.env)
}

lock() {
  create_venv
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" uv
  "$VENV/bin/uv" pip compile setup.cfg --all-extras --universal --python-version 3.11 --quiet \
    --custom-compile-command "scripts/setup.sh lock" -o "$CONSTRAINTS" "$@"
  say "$CONSTRAINTS now pins every requirement of setup.cfg and its extras"
}

check_python
if [ "$MODE" = lock ]; then
  lock "$@"
  exit 0
fi
install_system_packages
create_venv
install_app
install_node_tools
[ "$MODE" = run ] && write_dotenv
say "ready ($MODE)"
