// The page end to end: type commands and see output and the map change; tab completion and
// history; reload and find the same cluster; open a share link in a new page and find it too.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, screenshot, serveDist } from './harness.mjs';
import { assertHealthy, openPage, podNames, run, setSpeed, until, waitForOutput } from './page-lib.mjs';

describe('terminal and map', () => {
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

  test('commands print output, pods appear on the map, reload and share keep the cluster', async () => {
    const { context, page, problems } = await openPage(browser, site.url);

    await run(page, 'kubectl get nodes');
    const out = await waitForOutput(page, /minikube\s+Ready\s+control-plane/);
    assert.match(out, /\$ kubectl get nodes/);

    // Errors go to stderr and are coloured.
    await run(page, 'kubectl get pod nope');
    await waitForOutput(page, 'Error from server (NotFound): pods "nope" not found');
    assert.equal(await page.locator('#terminal-output pre.t-err').last().textContent(), 'Error from server (NotFound): pods "nope" not found\n');

    // Tab completion and history.
    const input = page.locator('#terminal-input');
    await input.fill('kubectl get deploym');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'kubectl get deployments ');
    await input.fill('');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'kubectl get pod nope');
    await input.fill('');

    // A here-document runs as one command.
    await input.fill("cat <<EOF > web.yaml\nhello\nEOF");
    await input.press('Enter');
    await run(page, 'cat web.yaml');
    await waitForOutput(page, /\$ cat web\.yaml\nhello/);

    await run(page, 'kubectl create deployment web --image=nginx --replicas=3');
    await waitForOutput(page, 'deployment.apps/web created');
    await setSpeed(page, 60);
    await until(page, () => document.querySelectorAll('.pod-chip.ok[data-pod^="web-"]').length === 3);
    const names = await podNames(page, 'web-');
    assert.equal(names.length, 3);
    await screenshot(page, 'page-terminal-map');

    // A watch streams until Ctrl-C.
    await run(page, 'kubectl get pods -w');
    await page.locator('.watching').waitFor();
    await page.locator('#terminal-input').press('Control+c');
    await page.locator('.watching').waitFor({ state: 'detached' });

    // Ctrl-L clears.
    await page.locator('#terminal-input').press('Control+l');
    await until(page, () => !document.querySelector('#terminal-output').textContent.includes('kubectl get nodes'));

    // Reload: the same cluster (same pod names) and the terminal as it was.
    await run(page, 'kubectl get deployments');
    await waitForOutput(page, /web\s+3\/3/);
    await page.waitForTimeout(300);
    await page.reload({ waitUntil: 'load' });
    await page.locator('#terminal-input').waitFor();
    await until(page, () => document.querySelectorAll('.pod-chip[data-pod^="web-"]').length === 3);
    assert.deepEqual(await podNames(page, 'web-'), names);
    await waitForOutput(page, /web\s+3\/3/);
    await screenshot(page, 'page-after-reload');

    // Share: a link that opens the same cluster in another browser context.
    await page.click('#share-button');
    const link = await page.locator('#share-url').inputValue();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shared = await other.newPage();
    await shared.goto(link, { waitUntil: 'load' });
    await shared.locator('#terminal-input').waitFor();
    await until(shared, () => document.querySelectorAll('.pod-chip[data-pod^="web-"]').length === 3);
    assert.deepEqual(await podNames(shared, 'web-'), names);
    assert.ok(!(await shared.evaluate(() => location.hash)).includes('s='), 'the share code is taken out of the address bar');
    await screenshot(shared, 'page-shared-link');
    await other.close();

    assertHealthy(problems);
    await context.close();
  });

  test('a damaged saved session shows a message and a reset button, not a blank page', async () => {
    const { context, page } = await openPage(browser, site.url);
    // The running page saves its session every few seconds, so damage it on the next load
    // before the app starts (an init script armed by a one-shot flag), not while it runs.
    await context.addInitScript(() => {
      if (sessionStorage.getItem('damage-next-load') === '1') {
        sessionStorage.removeItem('damage-next-load');
        localStorage.setItem('pilothouse.session.v1', '{"version":0,"seed":1,"log":[]}');
      }
    });
    await page.evaluate(() => sessionStorage.setItem('damage-next-load', '1'));
    await page.reload({ waitUntil: 'load' });
    await page.locator('#notice').waitFor();
    assert.match(await page.locator('#notice').textContent(), /version 0/);
    await page.click('#notice-reset');
    await page.locator('#notice').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#node-count').textContent(), '1');
    await context.close();
  });

  test('a damaged share link shows a message, not a blank page or a lost session', async () => {
    const { context, page } = await openPage(browser, site.url);
    await run(page, 'kubectl create deployment kept --image=nginx');
    await waitForOutput(page, /deployment.apps\/kept created/);
    await page.waitForTimeout(3500); // the page saves its session every few seconds
    // Valid base64 whose bytes are not deflate: the browser's inflate refuses them.
    const link = `${site.url.split('#')[0]}#s=AAAA`;
    const other = await context.newPage();
    await other.goto(link, { waitUntil: 'load' });
    await other.locator('#notice').waitFor();
    assert.match(await other.locator('#notice').textContent(), /the link is damaged/);
    assert.ok(!(await other.evaluate(() => location.hash)).includes('s='), 'the code is taken out of the address bar');
    // The session the browser had is still there.
    await run(other, 'kubectl get deployments');
    await waitForOutput(other, /kept\s+\d\/1/);
    await context.close();
  });

  test("kubectl explain's documentation is fetched on the first explain, and a reload replays it", async () => {
    const { context, page, problems } = await openPage(browser, site.url);
    const fetched = [];
    page.on('request', (r) => { if (r.url().includes('explain-v1.32.json.z')) fetched.push(r.url()); });
    await run(page, 'kubectl get nodes');
    await waitForOutput(page, /minikube\s+Ready/);
    assert.equal(fetched.length, 0, 'not fetched before anything needs it');
    // The command and the next one (typed before the fetch ends) run in order.
    await run(page, 'kubectl explain pod.spec.restartPolicy');
    await run(page, 'echo after');
    const out = await waitForOutput(page, /FIELD: restartPolicy <string>[\s\S]*\$ echo after\nafter/);
    assert.match(out, /KIND:\s+Pod\nVERSION:\s+v1/);
    await run(page, 'kubectl explain svc | head -3');
    await waitForOutput(page, /KIND:\s+Service\nVERSION:\s+v1\n\n/);
    assert.equal(fetched.length, 1, 'fetched once');
    await page.waitForTimeout(300);
    // The saved session runs explain when it is replayed: it waits for the documentation too.
    fetched.length = 0;
    await page.reload({ waitUntil: 'load' });
    await page.locator('#terminal-input').waitFor();
    await waitForOutput(page, /FIELD: restartPolicy <string>[\s\S]*\$ echo after\nafter/);
    assert.equal(fetched.length, 1);
    assert.doesNotMatch(await page.locator('#terminal-output').textContent(), /has not been loaded/);
    assertHealthy(problems);
    await context.close();
  });

  test('narrow screens stack the panels', async () => {
    const { context, page, problems } = await openPage(browser, site.url, { viewport: { width: 420, height: 900 } });
    await page.locator('.node-card').first().waitFor();
    await screenshot(page, 'page-narrow');
    assertHealthy(problems);
    await context.close();
  });
});
