// Shared set-up for the browser tests in this folder (`*.spec.mjs`, run by `node --test`).
//
// Each spec file serves the built page (dist/, made by `trunk build --release`) on a free port
// and drives the system Chromium through playwright-core; no browser is downloaded.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startStaticServer } from '../../scripts/static-server.mjs';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder the tests write screenshots into. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'screenshots');

/**
 * Chromium flags that work on the project's machines (see TOOLCHAIN notes in the README).
 * Playwright adds `--headless` and a fresh, empty `--user-data-dir` itself.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Path of the Chromium to drive: $CHROME_BIN, else the first one found on the system. */
export function chromiumPath() {
  if (process.env.CHROME_BIN) return process.env.CHROME_BIN;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('no Chromium found: install it (scripts/setup.sh does) or set CHROME_BIN');
}

/** Launches headless Chromium. */
export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/** Folder of the built page: $PILOTHOUSE_DIST, else dist/ at the repository root. */
export function distDir() {
  return process.env.PILOTHOUSE_DIST ?? join(REPO_ROOT, 'dist');
}

/** Serves the built page on a free port: `{ server, url }`. */
export async function serveDist() {
  const dist = distDir();
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the page first (trunk build --release)`);
  }
  return startStaticServer(dist);
}

/**
 * Collects everything that went wrong on `page`: console errors, uncaught exceptions, failed
 * requests and HTTP errors. A healthy page leaves the returned array empty.
 */
export function collectProblems(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** Saves a full-page screenshot as target/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Version of a workspace crate, as Cargo sees it (the engine's `VERSION` is its crate version). */
export function crateVersion(name) {
  const json = execFileSync('cargo', ['metadata', '--no-deps', '--offline', '--format-version', '1'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const pkg = JSON.parse(json).packages.find((p) => p.name === name);
  if (!pkg) throw new Error(`no crate ${name} in the workspace`);
  return pkg.version;
}
