// Helpers for the page tests (tests/browser/page-*.spec.mjs): open the built page, type in the
// terminal, drive the clock and the editor, and read lesson files' solutions.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, collectProblems } from './harness.mjs';

/** Opens the page in a fresh context (empty localStorage) and waits for the app. */
export async function openPage(browser, url, { viewport = { width: 1440, height: 900 }, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('#terminal-input').waitFor({ timeout: 30_000 });
  return { context, page, problems };
}

/** Types a command line into the terminal and presses Enter. */
export async function run(page, line) {
  const input = page.locator('#terminal-input');
  if (!(await input.isVisible())) await page.click('#tab-terminal');
  await input.fill(line);
  await input.press('Enter');
}

/** Waits until the terminal output contains `text` (a string or a RegExp). */
export async function waitForOutput(page, text, timeout = 20_000) {
  const out = page.locator('#terminal-output');
  await page.waitForFunction(
    ([source, isRegex]) => {
      const t = document.querySelector('#terminal-output')?.textContent ?? '';
      return isRegex ? new RegExp(source).test(t) : t.includes(source);
    },
    [text instanceof RegExp ? text.source : text, text instanceof RegExp],
    { timeout },
  );
  return out.textContent();
}

/** Sets the clock speed (1, 2, 10, 60) and makes sure it is playing. */
export async function setSpeed(page, speed) {
  await page.click(`button.speed[data-speed="${speed}"]`);
  if ((await page.getAttribute('#play-toggle', 'aria-pressed')) !== 'true') await page.click('#play-toggle');
}

/** Pauses the clock. */
export async function pause(page) {
  if ((await page.getAttribute('#play-toggle', 'aria-pressed')) === 'true') await page.click('#play-toggle');
}

/** Opens a dock tab: 'terminal', 'editor' or 'events'. */
export async function dockTab(page, name) {
  await page.click(`#tab-${name}`);
}

/** Replaces the editor's text and applies it with Ctrl+Enter. */
export async function applyInEditor(page, yaml) {
  await dockTab(page, 'editor');
  const ta = page.locator('#editor-text');
  await ta.fill(yaml);
  await ta.press('Control+Enter');
}

/** Names of the pods on the map whose name starts with `prefix`, sorted. */
export async function podNames(page, prefix) {
  const names = await page.locator(`.pod-chip[data-pod^="${prefix}"]`).evaluateAll((els) => els.map((e) => e.dataset.pod));
  return names.sort();
}

/** Waits until `fn` (run in the page) returns a truthy value. */
export function until(page, fn, arg, timeout = 30_000) {
  return page.waitForFunction(fn, arg, { timeout });
}

/** Asserts a page reported no problems. */
export function assertHealthy(problems) {
  assert.deepEqual(problems, [], 'the page reported problems');
}

/** The lesson file whose name starts with `prefix` (e.g. '08-'), or null. */
export function lessonFile(prefix) {
  const dir = join(REPO_ROOT, 'lessons');
  const f = readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.yaml'));
  return f ? readFileSync(join(dir, f), 'utf8') : null;
}

/**
 * The steps of a lesson file as { id, commands: [...] } — a small reader for the solution lists
 * the lesson files write (`solution:` / `commands:` with `- cmd` or `- |` block items).
 */
export function lessonSolutions(text) {
  const lines = text.split('\n');
  const steps = [];
  let inSteps = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^steps:\s*$/.test(l)) { inSteps = true; continue; }
    if (!inSteps) continue;
    let m = /^  - id:\s*(\S+)/.exec(l);
    if (m) { steps.push({ id: m[1], commands: [], advance: null }); continue; }
    m = /^(\s+)commands:\s*$/.exec(l);
    if (m && steps.length) {
      const ind = m[1].length;
      let j = i + 1;
      while (j < lines.length) {
        const item = lines[j];
        const im = new RegExp(`^\\s{${ind},${ind + 2}}- (.*)$`).exec(item);
        if (!im) break;
        const itemIndent = item.indexOf('- ');
        if (im[1].trim() === '|' || im[1].trim() === '|-') {
          const body = [];
          j++;
          while (j < lines.length && (lines[j].trim() === '' || lines[j].search(/\S/) > itemIndent)) {
            body.push(lines[j]);
            j++;
          }
          while (body.length && body[body.length - 1].trim() === '') body.pop();
          const strip = Math.min(...body.filter((b) => b.trim()).map((b) => b.search(/\S/)));
          steps[steps.length - 1].commands.push(body.map((b) => b.slice(strip)).join('\n'));
        } else {
          let c = im[1].trim();
          if ((c.startsWith('"') && c.endsWith('"')) || (c.startsWith("'") && c.endsWith("'"))) c = c.slice(1, -1);
          steps[steps.length - 1].commands.push(c);
          j++;
        }
      }
      i = j - 1;
      continue;
    }
    m = /^\s+advance:\s*"?([^"\s]+)"?\s*$/.exec(l);
    if (m && steps.length) steps[steps.length - 1].advance = m[1];
  }
  return steps;
}

/** Splits `kubectl apply -f - <<EOF ... EOF` into its YAML body, or returns null. */
export function heredocApplyBody(cmd) {
  const m = /^kubectl apply -f - <<-?\s*'?(\w+)'?\s*\n([\s\S]*?)\n\1\s*$/.exec(cmd.trim());
  return m ? m[2] + '\n' : null;
}

/** The number of completed step dots in the lesson panel. */
export async function completedSteps(page) {
  return page.locator('.step-dots .dot.done').count();
}

/**
 * The benchmarks' rollout (bench-page.mjs, trace-page.mjs), up to the moment before the clock
 * runs: pauses the clock, starts `nodes` nodes and waits for their cards, creates a Deployment of
 * `pods` replicas and picks 60x. Returns the real ms the nodes took. Press `#play-toggle` to go.
 */
export async function prepareRollout(page, { nodes, pods }) {
  await page.click('#play-toggle');
  const t = Date.now();
  await run(page, `minikube start --nodes ${nodes} --cpus 16 --memory 65536 -p bench`);
  await page.waitForFunction((n) => document.querySelectorAll('.node-card').length >= n, nodes, { timeout: 600_000 });
  const nodesUp = Date.now() - t;
  await run(page, `kubectl create deployment load --image=nginx --replicas=${pods}`);
  await page.click('button.speed[data-speed="60"]');
  return nodesUp;
}
