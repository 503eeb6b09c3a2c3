#!/usr/bin/env bash
# Runs every test: native tests of the whole workspace, the web crate's wasm tests in headless
# Chromium, then a release build of the page and the end-to-end browser tests
# (tests/browser/*.spec.mjs, run by `node --test`; add a file there to add a test).
# Each stage runs even if an earlier one failed (the e2e tests need the release build);
# the exit status is non-zero if anything failed. The last line is "N passed, N failed" for
# the e2e tests; screenshots go to target/screenshots/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

if ! timed "setup" bash "$ROOT/scripts/setup.sh"; then
  log "set-up failed: nothing was tested"
  echo "0 passed, 1 failed"
  exit 1
fi
load_toolchain_env

FAILED=()
stage() {
  local what=$1
  shift
  timed "$what" "$@" || FAILED+=("$what")
}

# 1. Native: every crate, every test; and the API codec's generated tables match k8s-openapi's
#    sources (unpacked in cargo's registry by the build).
stage "cargo test --workspace (native)" cargo test --workspace --offline
stage "generated API codec tables are current" python3 "$ROOT/scripts/gen-api-codec.py" --check

# 2. The web crate's #[wasm_bindgen_test]s in headless Chromium, driven by chromedriver.
#    wasm-bindgen-test-runner reads the browser's capabilities from WASM_BINDGEN_TEST_WEBDRIVER_JSON
#    and adds --headless --no-sandbox --disable-dev-shm-usage itself.
PROFILE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pilothouse-chromium.XXXXXX")
trap 'rm -rf "$PROFILE_DIR"' EXIT
WEBDRIVER_JSON="$ROOT/target/webdriver.json"
cat > "$WEBDRIVER_JSON" <<JSON
{
  "goog:chromeOptions": {
    "binary": "$CHROME_BIN",
    "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--user-data-dir=$PROFILE_DIR"]
  }
}
JSON
stage "cargo test -p pilothouse-web (wasm32, headless Chromium)" \
  wasm env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$WEBDRIVER_JSON" WASM_BINDGEN_TEST_TIMEOUT=120 \
    CHROMEDRIVER="$CHROMEDRIVER" \
    cargo test --offline -p pilothouse-web --target wasm32-unknown-unknown --tests

# 3. End to end: the release page, served from dist/ on a free port, in headless Chromium.
E2E_PASSED=0
E2E_FAILED=0
if stage "trunk build --release" wasm trunk build --release --offline; then
  TAP="$ROOT/target/e2e.tap"
  NODE_TEST=(node --test)
  # One spec file (one Chromium) at a time; Node 18 lacks the flag but has no need of it here.
  if [[ "$(node --help)" == *--test-concurrency* ]]; then NODE_TEST+=(--test-concurrency=1); fi
  rm -rf "$TAP" "$ROOT/target/screenshots"
  stage "browser tests (node --test tests/browser/*.spec.mjs)" \
    "${NODE_TEST[@]}" \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$TAP" \
      "$ROOT"/tests/browser/*.spec.mjs
  E2E_PASSED=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$TAP" | tail -n1)
  E2E_FAILED=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$TAP" | tail -n1)
  E2E_PASSED=${E2E_PASSED:-0}
  E2E_FAILED=${E2E_FAILED:-0}
  # A runner that died before reporting counts as a failure.
  if [[ " ${FAILED[*]} " == *"browser tests"* ]] && [ "$E2E_FAILED" = 0 ]; then E2E_FAILED=1; fi
  [ -f "$ROOT/target/screenshots/e2e-home.png" ] && log "screenshot: target/screenshots/e2e-home.png"
else
  log "the e2e tests could not run without the release build: counted as one failure"
  E2E_FAILED=1
fi

if [ ${#FAILED[@]} = 0 ]; then
  log "all stages passed in ${SECONDS}s"
else
  log "${_R}failed stages: $(printf '%s; ' "${FAILED[@]}")${_N}"
fi
echo "$E2E_PASSED passed, $E2E_FAILED failed"
[ ${#FAILED[@]} = 0 ]
