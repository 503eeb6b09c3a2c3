// The YAML editor and the inspector: an error is marked at its line, a fixed manifest creates
// pods, a Pending pod's scheduler trace explains why, a stopped node goes NotReady and its pods
// move to another node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, screenshot, serveDist } from './harness.mjs';
import { applyInEditor, assertHealthy, dockTab, openPage, run, setSpeed, until, waitForOutput } from './page-lib.mjs';

const BROKEN = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
     app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: nginx
`;

const BAD_FIELD = BROKEN.replace('     app: api\n  template', '      app: api\n  template').replace('        image: nginx\n', '        image: nginx\n        imagePullPolcy: Always\n');

const FIXED = BROKEN.replace('     app: api\n  template', '      app: api\n  template');

const GREEDY = `apiVersion: v1
kind: Pod
metadata:
  name: greedy
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: "64"
`;

describe('editor, inspector and faults', () => {
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

  test('errors are marked at their line; the fix creates pods', async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    await setSpeed(page, 10);

    // A YAML syntax error (line 9 is indented less than its sibling keys would need).
    await applyInEditor(page, BROKEN.replace('    matchLabels:\n     app: api', '    matchLabels:\n     app: api\n    x'));
    await page.locator('#editor-problems .problem').first().waitFor();
    const line = Number(await page.locator('#editor-problems .problem').first().getAttribute('data-line'));
    assert.equal(line, 11, 'the parser reports the syntax error on line 11');
    assert.equal(await page.locator(`.gutter .ln.error[data-line="${line}"]`).count(), 1);
    assert.equal(await page.locator(`.editor-mark[data-line="${line}"]`).count(), 1);
    await screenshot(page, 'page-editor-error');

    // An unknown field: the server's message, marked at the field's line.
    await applyInEditor(page, BAD_FIELD);
    await until(page, () => document.querySelector('#editor-problems .problem')?.textContent.includes('imagePullPolcy'));
    assert.equal(await page.locator('#editor-problems .problem').first().getAttribute('data-line'), '18');
    await screenshot(page, 'page-editor-field-error');

    // The fix applies and its pods appear.
    await applyInEditor(page, FIXED);
    await until(page, () => document.querySelectorAll('#editor-problems .problem').length === 0);
    await dockTab(page, 'terminal');
    await waitForOutput(page, 'deployment.apps/api created');
    await until(page, () => document.querySelectorAll('.pod-chip.ok[data-pod^="api-"]').length === 2);

    // Templates load into the editor.
    await dockTab(page, 'editor');
    await page.selectOption('#editor-template', 'Service');
    await until(page, () => document.querySelector('#editor-text').value.includes('kind: Service'));

    // Tab indents.
    const ta = page.locator('#editor-text');
    await ta.fill('a:\nb: 1');
    await ta.press('End');
    await ta.press('Tab');
    assert.equal(await ta.inputValue(), 'a:\nb: 1  ');
    assertHealthy(problems);
    await context.close();
  });

  test('a Pending pod: the trace explains why; kubectl edit saves through the editor', async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    await applyInEditor(page, GREEDY);
    await page.locator('#pending-lane .pod-chip[data-pod="greedy"]').waitFor();
    assert.match(await page.locator('#pending-lane .pending-item').first().textContent(), /Insufficient cpu/);
    await page.click('#pending-lane .pod-chip[data-pod="greedy"]');
    await page.click('#inspector-tab-trace');
    await page.locator('#trace-table').waitFor();
    assert.match(await page.locator('#trace').textContent(), /0\/1 nodes are available: 1 Insufficient cpu/);
    assert.match(await page.locator('#trace-table tr[data-node="minikube"]').textContent(), /Insufficient cpu/);
    await screenshot(page, 'page-trace-pending');

    // Describe and events of the pod.
    await page.click('#inspector-tab-describe');
    assert.match(await page.locator('#inspector-describe').textContent(), /FailedScheduling/);

    // Inspector YAML → Edit opens kubectl edit in the editor; saving applies.
    await run(page, 'kubectl create deployment hello --image=nginx');
    await waitForOutput(page, 'deployment.apps/hello created');
    await run(page, 'kubectl edit deployment hello');
    await page.locator('#editor-save').waitFor();
    const text = await page.locator('#editor-text').inputValue();
    assert.match(text, /replicas: 1/);
    await page.locator('#editor-text').fill(text.replace('replicas: 1', 'replicas: 2'));
    await page.click('#editor-save');
    await dockTab(page, 'terminal');
    await waitForOutput(page, 'deployment.apps/hello edited');
    assertHealthy(problems);
    await context.close();
  });

  test('stopping a node makes it NotReady and its pods move', async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    await run(page, 'minikube node add');
    await waitForOutput(page, /minikube-m02/);
    await page.locator('.node-card[data-node="minikube-m02"]').waitFor();
    await run(page, 'kubectl create deployment web --image=nginx --replicas=4');
    await setSpeed(page, 60);
    await until(page, () => document.querySelectorAll('.pod-chip.ok[data-pod^="web-"]').length === 4);
    const onM02 = await page.locator('.node-card[data-node="minikube-m02"] .pod-chip[data-pod^="web-"]').count();
    assert.ok(onM02 > 0, 'some web pods run on minikube-m02');

    await page.click('.node-card[data-node="minikube-m02"] .node-name');
    await page.click('#fault-stop-node');
    await until(page, () => document.querySelector('.node-card[data-node="minikube-m02"] .node-status')?.textContent.startsWith('NotReady'), null, 60_000);
    await screenshot(page, 'page-node-notready');
    // After the NoExecute toleration (300 s) the pods are evicted and replaced on minikube.
    await until(page, () => {
      const ok = [...document.querySelectorAll('.node-card[data-node="minikube"] .pod-chip.ok')].filter((e) => e.dataset.pod.startsWith('web-'));
      return ok.length === 4;
    }, null, 90_000);
    await screenshot(page, 'page-node-rescheduled');
    assertHealthy(problems);
    await context.close();
  });
});
