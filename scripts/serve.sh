#!/usr/bin/env bash
# Builds the page in release mode and serves it on http://127.0.0.1:${PORT:-8080}/.
#   PORT=9000 bash scripts/serve.sh      another port
#   HOST=0.0.0.0 bash scripts/serve.sh   reachable from other machines
# A static server over dist/ rather than `trunk serve`: Trunk's live-reload script is inline and
# the page's Content-Security-Policy forbids inline scripts. Re-run the script after a change.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"
load_toolchain_env

timed "trunk build --release" wasm trunk build --release --offline
log "page built in dist/ ($(du -sh dist | cut -f1)); serving it"
exec node "$ROOT/scripts/static-server.mjs" "$ROOT/dist" "${PORT:-8080}" "${HOST:-127.0.0.1}"
