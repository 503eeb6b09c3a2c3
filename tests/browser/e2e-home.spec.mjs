// The built page loads under its CSP and shows what the engine, running as wasm, reports.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { collectProblems, crateVersion, distDir, launchBrowser, screenshot, serveDist } from './harness.mjs';

describe('home page', () => {
  let browser;
  let site;

  before(async () => {
    site = await serveDist();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    site?.server.close();
  });

  test('shows the engine version and a one-node minikube cluster, with no errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const problems = collectProblems(page);

    await page.goto(site.url, { waitUntil: 'load' });
    // The counts exist only once the wasm app has rendered.
    await page.locator('#node-count').waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');

    assert.match(await page.title(), /Pilothouse/);
    assert.equal(await page.locator('header .brand').textContent(), 'Pilothouse');
    assert.equal(await page.locator('#engine-version').textContent(), crateVersion('pilothouse-engine'));
    assert.equal(await page.locator('#node-count').textContent(), '1');
    assert.match(await page.locator('#pod-count').textContent(), /^\d+$/);

    await screenshot(page, 'e2e-home');
    assert.deepEqual(problems, [], 'the page reported problems');
    await page.close();
  });

  test('index.html keeps its Content-Security-Policy and has no inline scripts', async () => {
    const html = readFileSync(join(distDir(), 'index.html'), 'utf8');
    assert.match(html, /http-equiv="Content-Security-Policy"[^>]*script-src 'self' 'wasm-unsafe-eval'/s);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0, 'the page loads no script');
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc=/, `inline script found: ${attrs}`);
      assert.equal(body.trim(), '', `inline script body found: ${body.slice(0, 80)}`);
    }
  });
});
