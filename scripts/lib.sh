# Shared helpers for the scripts in this folder; sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_ENV="$ROOT/target/toolchain.env"
_SCRIPT_NAME="$(basename "$0" .sh)"
_SCRIPT_T0=$SECONDS

if [ -t 2 ]; then _B=$'\033[1m'; _R=$'\033[31m'; _N=$'\033[0m'; else _B=; _R=; _N=; fi

# log MESSAGE: progress line on stderr, with the seconds since the script started.
log() { printf '%s[%s +%ss]%s %s\n' "$_B" "$_SCRIPT_NAME" "$((SECONDS - _SCRIPT_T0))" "$_N" "$*" >&2; }

# die MESSAGE: report and exit 1.
die() { printf '%s[%s] error:%s %s\n' "$_R" "$_SCRIPT_NAME" "$_N" "$*" >&2; exit 1; }

# timed DESCRIPTION COMMAND...: runs COMMAND and reports how long it took; keeps its exit status.
timed() {
  local what=$1 t=$SECONDS status=0
  shift
  log "$what ..."
  "$@" || status=$?
  if [ "$status" = 0 ]; then
    log "$what: done in $((SECONDS - t))s"
  else
    log "${_R}$what: FAILED (exit $status) after $((SECONDS - t))s${_N}"
  fi
  return "$status"
}

# load_toolchain_env: sources the environment scripts/setup.sh wrote (PATH, linker, browser paths).
load_toolchain_env() {
  [ -f "$TOOLCHAIN_ENV" ] || die "$TOOLCHAIN_ENV is missing: run bash scripts/setup.sh"
  # shellcheck source=/dev/null
  source "$TOOLCHAIN_ENV"
}

# wasm COMMAND...: runs a command that builds for wasm32 (cargo --target wasm32-unknown-unknown,
# trunk) with the extra variables the toolchain route needs. On the Debian route that is
# build-std, which cannot be exported globally: set, it makes native builds rebuild std too.
wasm() {
  # shellcheck disable=SC2086  # PILOTHOUSE_WASM_ENV is a list of NAME=value words without spaces
  env ${PILOTHOUSE_WASM_ENV:-} "$@"
}
