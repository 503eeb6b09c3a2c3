#!/usr/bin/env bash
# Installs everything the build and the tests need, skipping whatever is already in place, and
# writes target/toolchain.env, which scripts/serve.sh and scripts/test.sh source. Safe to re-run.
#
# Rust for wasm32 comes one of two ways:
#   rustup  - `rustup target add wasm32-unknown-unknown` (an ordinary developer machine);
#   debian  - where rustup cannot download the target: Debian's rustc-web (a newer rustc with
#             the standard library's source) builds std for wasm32 itself (`build-std`) and
#             Debian's wasm-ld links.
# PILOTHOUSE_TOOLCHAIN=rustup|debian forces a route; by default rustup is tried first, with a
# timeout because on some networks it hangs instead of failing.
#
# Also installed: trunk 0.21.x and wasm-bindgen-cli (exactly the wasm-bindgen version in
# Cargo.lock) with `cargo install`; Chromium and chromedriver with apt (or $CHROME_BIN and
# $CHROMEDRIVER); Node packages for the browser tests and wasm-opt (npm `binaryen`) with `npm ci`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
TRUNK_SERIES="0.21"
WASM_TARGET="wasm32-unknown-unknown"
DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-src lld-22)

# ---------------------------------------------------------------------------------------------
# helpers

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "root is needed for: $* (run as root or install sudo)"
  fi
}

_apt_updated=0
# apt_install PACKAGE...: installs the packages that are not installed yet (apt-get update once).
apt_install() {
  local missing=() p
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *"ok installed" ]] || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && { log "apt: already installed: $*"; return 0; }
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  if [ "$_apt_updated" = 0 ]; then
    timed "apt-get update" as_root apt-get update -q
    _apt_updated=1
  fi
  timed "apt-get install ${missing[*]}" \
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

have() { command -v "$1" >/dev/null 2>&1; }

# The wasm-bindgen version the workspace builds with: Cargo.lock if present, else the `=x.y.z`
# pin in Cargo.toml. The CLI (wasm-bindgen, wasm-bindgen-test-runner) must match it exactly.
wasm_bindgen_version() {
  local v=""
  if [ -f Cargo.lock ]; then
    v=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  fi
  if [ -z "$v" ]; then
    v=$(sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
  fi
  [ -n "$v" ] || die "cannot find the wasm-bindgen version (expected wasm-bindgen = \"=x.y.z\" in Cargo.toml)"
  echo "$v"
}

# ---------------------------------------------------------------------------------------------
# 1. Rust toolchain for wasm32

rustup_has_target() { have rustup && rustup target list --installed 2>/dev/null | grep -x "$WASM_TARGET" >/dev/null; }

choose_route() {
  if [ -n "${PILOTHOUSE_TOOLCHAIN:-}" ]; then
    case "$PILOTHOUSE_TOOLCHAIN" in rustup|debian) ;; *) die "PILOTHOUSE_TOOLCHAIN must be rustup or debian";; esac
    log "toolchain route forced by PILOTHOUSE_TOOLCHAIN=$PILOTHOUSE_TOOLCHAIN"
    echo "$PILOTHOUSE_TOOLCHAIN"; return
  fi
  if rustup_has_target; then echo rustup; return; fi
  # A previous run found that rustup cannot add the target: do not wait for it again.
  if [ -f "$TOOLCHAIN_ENV" ] && grep -q '^export PILOTHOUSE_TOOLCHAIN=debian$' "$TOOLCHAIN_ENV"; then
    log "using the Debian route found by an earlier run (delete $TOOLCHAIN_ENV to retry rustup)"
    echo debian; return
  fi
  if have rustup; then
    log "trying: rustup target add $WASM_TARGET (20 s timeout)"
    if timeout 20 rustup target add "$WASM_TARGET" >&2 && rustup_has_target; then echo rustup; return; fi
    log "rustup could not add $WASM_TARGET: falling back to Debian's rustc-web with build-std"
  else
    log "no rustup: using Debian's rustc-web with build-std"
  fi
  echo debian
}

ROUTE=$(choose_route)
WASM_ENV=""
TOOLCHAIN_PATH=""
case "$ROUTE" in
  rustup)
    if ! rustup_has_target; then
      timed "rustup target add $WASM_TARGET" timeout 120 rustup target add "$WASM_TARGET"
    fi
    log "rust: $(rustc --version) with $WASM_TARGET from rustup"
    ;;
  debian)
    apt_install "${DEBIAN_RUST_PACKAGES[@]}"
    [ -d /usr/lib/rustlib/src/rust/library ] || die "rust-web-src did not install /usr/lib/rustlib/src/rust/library"
    WASM_LD=/usr/lib/llvm-22/bin/wasm-ld
    [ -x "$WASM_LD" ] || die "$WASM_LD is missing (package lld-22)"
    # cargo, rustc and rustdoc must all be Debian's 1.9x (build-std needs its library source);
    # a folder of links ahead of rustup's proxies on PATH makes sure of that, Trunk included.
    TOOLCHAIN_PATH="$ROOT/target/toolchain/bin"
    mkdir -p "$TOOLCHAIN_PATH"
    for tool in cargo rustc rustdoc; do ln -sfn "/usr/bin/$tool" "$TOOLCHAIN_PATH/$tool"; done
    # RUSTC_BOOTSTRAP unlocks build-std on a stable compiler. It is set for native builds too so
    # that both share build scripts and proc-macros instead of rebuilding them in turn.
    WASM_ENV="CARGO_UNSTABLE_BUILD_STD=std,panic_abort"
    log "rust: $(/usr/bin/rustc --version) (Debian rustc-web) building std for $WASM_TARGET, linker $WASM_LD"
    ;;
esac

# ---------------------------------------------------------------------------------------------
# 2. Trunk and wasm-bindgen-cli (cargo install; slow, so only when the right version is missing)

if have trunk && [[ "$(trunk --version 2>/dev/null)" =~ ^trunk\ ${TRUNK_SERIES//./\\.}\. ]]; then
  log "trunk: $(trunk --version) already installed"
else
  # 0.22 needs a newer rustc than many machines have; 0.21 is what Trunk.toml is written for.
  timed "cargo install trunk ~$TRUNK_SERIES (about 10 minutes on 2 cores)" \
    cargo install trunk --version "~$TRUNK_SERIES" --locked
fi

WB_VERSION=$(wasm_bindgen_version)
TRUNK_WB=$(sed -n 's/^wasm_bindgen *= *"\(.*\)".*/\1/p' Trunk.toml)
[ "$TRUNK_WB" = "$WB_VERSION" ] || \
  die "Trunk.toml [tools] wasm_bindgen = \"$TRUNK_WB\" but the workspace uses wasm-bindgen $WB_VERSION: make them equal"
if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WB_VERSION" ] &&
   [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" = "wasm-bindgen-test-runner $WB_VERSION" ]; then
  log "wasm-bindgen-cli: $WB_VERSION already installed"
else
  # Not --locked: a dependency version pinned in wasm-bindgen-cli's lock file is missing from
  # some registry mirrors. The CLI's own version is exact, which is what has to match.
  timed "cargo install wasm-bindgen-cli $WB_VERSION (about 3 minutes)" \
    cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

# ---------------------------------------------------------------------------------------------
# 3. Chromium and chromedriver

if [ -n "${CHROME_BIN:-}" ] && [ -n "${CHROMEDRIVER:-}" ]; then
  log "browser: using CHROME_BIN=$CHROME_BIN CHROMEDRIVER=$CHROMEDRIVER"
elif have apt-get; then
  # fonts-nanum: Korean glyphs in the page's screenshots.
  apt_install chromium chromium-driver fonts-nanum
  CHROME_BIN=/usr/bin/chromium
  CHROMEDRIVER=/usr/bin/chromedriver
else
  CHROME_BIN=${CHROME_BIN:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
  CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
  [ -n "$CHROME_BIN" ] && [ -n "$CHROMEDRIVER" ] ||
    die "install Chromium (or Chrome) and a matching chromedriver, or set CHROME_BIN and CHROMEDRIVER"
fi
[ -x "$CHROME_BIN" ] || die "CHROME_BIN=$CHROME_BIN is not an executable"
[ -x "$CHROMEDRIVER" ] || die "CHROMEDRIVER=$CHROMEDRIVER is not an executable"
log "browser: $("$CHROMEDRIVER" --version 2>/dev/null | cut -d' ' -f1-2) for $CHROME_BIN"

# python3: scripts/gen-api-codec.py --check (test.sh) reads k8s-openapi's sources.
if ! have python3; then
  if have apt-get; then apt_install python3; else die "python3 is needed by scripts/gen-api-codec.py"; fi
fi

# ---------------------------------------------------------------------------------------------
# 4. Node packages: playwright-core (drives the system Chromium) and binaryen (wasm-opt)

node_ok() { have node && have npm && node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; }
if ! node_ok; then
  apt_install nodejs npm
  node_ok || die "Node.js 18 or newer with npm is needed for the browser tests"
fi
BROWSER_TESTS="$ROOT/tests/browser"
STAMP="$BROWSER_TESTS/node_modules/.pilothouse-installed"
WANT_STAMP=$(cat "$BROWSER_TESTS/package.json" "$BROWSER_TESTS/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_STAMP" ]; then
  log "npm: tests/browser packages up to date (node $(node --version))"
else
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the tests use the system Chromium, never a downloaded one.
  (cd "$BROWSER_TESTS" && timed "npm ci in tests/browser" \
    env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$WANT_STAMP" > "$STAMP"
fi
WASM_OPT_VERSION=$("$BROWSER_TESTS/node_modules/.bin/wasm-opt" --version)
log "wasm-opt: $WASM_OPT_VERSION (npm binaryen)"

# ---------------------------------------------------------------------------------------------
# 5. The environment the other scripts build in

mkdir -p "$ROOT/target"
{
  echo "# Written by scripts/setup.sh. Source it to build and test the way the scripts do;"
  echo "# prefix wasm32 builds (trunk, cargo --target $WASM_TARGET) with \$PILOTHOUSE_WASM_ENV."
  echo "export PILOTHOUSE_TOOLCHAIN=$ROUTE"
  # shellcheck disable=SC2016  # $PATH is expanded when the file is sourced
  printf 'export PATH=%q:"$PATH"\n' "${TOOLCHAIN_PATH:+$TOOLCHAIN_PATH:}$CARGO_BIN:$BROWSER_TESTS/node_modules/.bin"
  if [ "$ROUTE" = debian ]; then
    echo "export RUSTC_BOOTSTRAP=1"
    echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$WASM_LD"
  fi
  echo "export PILOTHOUSE_WASM_ENV=\"$WASM_ENV\""
  printf 'export CHROME_BIN=%q\n' "$CHROME_BIN"
  printf 'export CHROMEDRIVER=%q\n' "$CHROMEDRIVER"
} > "$TOOLCHAIN_ENV.tmp"
mv "$TOOLCHAIN_ENV.tmp" "$TOOLCHAIN_ENV"
load_toolchain_env

# ---------------------------------------------------------------------------------------------
# 6. Crates: fetched now so that Trunk (which runs --offline) and the tests need no network

timed "cargo fetch" cargo fetch
if [ -n "$PILOTHOUSE_WASM_ENV" ]; then
  # build-std also needs the standard library's own dependencies for wasm32.
  timed "cargo fetch (std for $WASM_TARGET)" wasm cargo fetch --target "$WASM_TARGET"
fi

log "ready (route: $ROUTE). Environment in ${TOOLCHAIN_ENV#"$ROOT/"}"
