// Lessons in the page: lesson 1 completed by typing its commands, lesson 8 (taints) by editing
// YAML in the editor for its `kubectl apply -f -` steps; each step must turn complete. Then the
// page in Korean: UI and lesson text, kept across a reload.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, screenshot, serveDist } from './harness.mjs';
import {
  applyInEditor, assertHealthy, completedSteps, dockTab, heredocApplyBody, lessonFile, lessonSolutions, openPage, run, setSpeed, until,
} from './page-lib.mjs';

/** Plays a lesson's solutions the way a learner would: typed, or applied from the editor. */
async function playLesson(page, steps, { useEditor, from = 0, to = steps.length }) {
  for (let i = from; i < to; i++) {
    const step = steps[i];
    await until(page, (n) => document.querySelectorAll('.step-dots .dot')[n]?.classList.contains('current'), i, 20_000);
    for (const cmd of step.commands) {
      const body = useEditor ? heredocApplyBody(cmd) : null;
      if (body) {
        await applyInEditor(page, body);
        await dockTab(page, 'terminal');
      } else {
        await run(page, cmd);
      }
    }
    if (step.advance) await run(page, `sleep ${step.advance}`);
    // Checks re-evaluate as the clock runs.
    await until(page, (n) => document.querySelectorAll('.step-dots .dot.done').length > n, i, 60_000);
  }
}

describe('lessons', () => {
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

  test('lesson 1 completes by typing its commands', async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    const fetched = [];
    page.on('request', (r) => { if (r.url().includes('/lessons/')) fetched.push(new URL(r.url()).pathname); });
    const steps = lessonSolutions(lessonFile('01-'));
    assert.ok(steps.length >= 3, 'lesson 1 has steps');
    // The catalogue shows every lesson (with its step count) before any lesson file is fetched.
    assert.ok(await page.locator('.lesson-item').count() >= 10);
    assert.match(await page.locator('.lesson-item[data-lesson="minikube-walkthrough"] .lesson-meta').textContent(), new RegExp(`0/${steps.length}`));
    assert.deepEqual(fetched, []);
    await page.click('.lesson-item[data-lesson="minikube-walkthrough"] .start-lesson');
    await page.locator('#lesson-title').waitFor();
    assert.deepEqual(fetched, ['/lessons/01-minikube-walkthrough.yaml'], 'only the started lesson is fetched');
    await setSpeed(page, 10);
    // Checks are listed with ✗ before anything is done.
    assert.ok(await page.locator('#lesson-checks .check.fail').count() > 0);
    await screenshot(page, 'page-lesson1-start');
    await playLesson(page, steps, { useEditor: false, to: 1 });
    await screenshot(page, 'page-lesson1-step1-done');
    await playLesson(page, steps, { useEditor: false, from: 1 }).catch(async (e) => {
      await screenshot(page, 'page-lesson1-failed');
      throw e;
    });
    assert.equal(await completedSteps(page), steps.length);
    await page.locator('.lesson-finished').waitFor();
    await screenshot(page, 'page-lesson1-complete');
    // Progress shows in the catalogue.
    await page.click('#exit-lesson');
    assert.match(await page.locator('.lesson-item[data-lesson="minikube-walkthrough"] .lesson-meta').textContent(), new RegExp(`${steps.length}/${steps.length}`));
    assertHealthy(problems);
    await context.close();
  });

  test('lesson 8 (taints) completes by editing YAML', async (t) => {
    const text = lessonFile('08-');
    if (!text) return t.skip('lessons/08-*.yaml is not there yet');
    const id = /^id:\s*(\S+)/m.exec(text)[1];
    const steps = lessonSolutions(text);
    const { context, page, problems } = await openPage(browser, `${site.url}#lesson=${id}&step=1`);
    await page.locator('#lesson-title').waitFor();
    await setSpeed(page, 10);
    await playLesson(page, steps, { useEditor: true }).catch(async (e) => {
      await screenshot(page, 'page-lesson8-failed');
      throw e;
    });
    await page.locator('.lesson-finished').waitFor();
    await screenshot(page, 'page-lesson8-complete');
    assertHealthy(problems);
    await context.close();
  });

  test('Korean: the switch, then a reload, give Korean UI and lesson text', async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    await screenshot(page, 'page-english');
    await page.click('#lang-ko');
    await page.click('.lesson-item[data-lesson="minikube-walkthrough"] .start-lesson');
    // The lesson starts once its file is fetched; then it is saved, and a reload restores it.
    await page.locator('#lesson-title').waitFor();
    await page.reload({ waitUntil: 'load' });
    await page.locator('#terminal-input').waitFor();
    assert.equal(await page.locator('#tab-terminal').textContent(), '터미널');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.match(await page.locator('#lesson-title').textContent(), /minikube: 첫 번째 디플로이먼트/);
    assert.match(await page.locator('#lesson-step-title').textContent(), /단계 1\/\d+: 클러스터 시작하기/);
    await screenshot(page, 'page-korean');
    // Kubernetes' own output stays English.
    await run(page, 'kubectl get pod nope');
    await until(page, () => document.querySelector('#terminal-output').textContent.includes('pods "nope" not found'));
    await page.click('#lang-en');
    assert.equal(await page.locator('#tab-terminal').textContent(), 'Terminal');
    assertHealthy(problems);
    await context.close();
  });

  test('the browser language is the default', async () => {
    const { context, page } = await openPage(browser, site.url, { locale: 'ko-KR' });
    assert.equal(await page.locator('#tab-editor').textContent(), '편집기');
    await context.close();
  });
});
