// Profiling aid for the page (not part of scripts/test.sh): records a DevTools trace of the
// main thread while 3,000 pods roll out on 100 nodes (as bench-page.mjs does), writes it to
// target/trace.json (open it in Chrome's Performance panel) and prints where the main thread's
// time went per trace event: count, total, p50/p90/max of wall and of thread (CPU) time. Script
// is TimerFire (the engine's frame) and FireAnimationFrame (the render); the browser's own work
// is UpdateLifecycle (style, layout, paint, layerize), Commit and mouse hit-testing.
//
//   source scripts/lib.sh && load_toolchain_env && wasm trunk build --release --offline
//   node tests/browser/trace-page.mjs      # AT=1500 pods before recording, MS=6000 ms recorded
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, launchBrowser, serveDist } from './harness.mjs';
import { prepareRollout } from './page-lib.mjs';

const PODS = Number(process.env.PODS ?? 3000);
const NODES = Number(process.env.NODES ?? 100);
const AT = Number(process.env.AT ?? 1500);
const MS = Number(process.env.MS ?? 6000);
const NAMES = ['TimerFire', 'FireAnimationFrame', 'RunMicrotasks', 'WebFrameWidgetImpl::UpdateLifecycle', 'UpdateLayoutTree', 'Layout',
  'PrePaint', 'Paint', 'Layerize', 'Commit', 'EventHandler::handleMouseMoveEvent', 'RunTask'];

const site = await serveDist();
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(site.url, { waitUntil: 'load' });
  await page.locator('#terminal-input').waitFor({ timeout: 60_000 });
  await prepareRollout(page, { nodes: NODES, pods: PODS });
  await page.click('#play-toggle');
  await page.waitForFunction((n) => Number(document.querySelector('#pod-count').textContent) >= n, AT, { timeout: 900_000, polling: 500 });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute'] });
  await page.waitForTimeout(MS);
  const buf = await browser.stopTracing();
  mkdirSync(join(REPO_ROOT, 'target'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'target', 'trace.json'), buf);
  const raw = JSON.parse(buf.toString());
  const events = raw.traceEvents ?? raw;
  const threads = {};
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads[`${e.pid}:${e.tid}`] = e.args.name;
  const main = new Set(Object.entries(threads).filter(([, n]) => n === 'CrRendererMain').map(([k]) => k));
  const wall = {}, cpu = {};
  for (const e of events) {
    if (!main.has(`${e.pid}:${e.tid}`) || e.ph !== 'X' || !e.dur) continue;
    (wall[e.name] ??= []).push(e.dur / 1000);
    (cpu[e.name] ??= []).push((e.tdur ?? e.dur) / 1000);
  }
  const fmt = (xs) => {
    xs.sort((a, b) => a - b);
    const at = (q) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))].toFixed(1);
    return `total ${xs.reduce((a, b) => a + b, 0).toFixed(0).padStart(5)} p50 ${at(0.5).padStart(5)} p90 ${at(0.9).padStart(5)} max ${xs[xs.length - 1].toFixed(1).padStart(6)}`;
  };
  console.log(`${MS} ms recorded from ${AT} pods on; ms of wall time | of thread time`);
  for (const n of NAMES) {
    if (!wall[n]) continue;
    console.log(`${n.padEnd(36)} n ${String(wall[n].length).padStart(5)}  ${fmt(wall[n])} | ${fmt(cpu[n])}`);
  }
} finally {
  await browser.close();
  site.server.close();
}
