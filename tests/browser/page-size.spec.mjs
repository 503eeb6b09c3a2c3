// The page's download stays within its budget: the release build's wasm under 1 MB gzip
// (1,000,000 bytes, the target read strictly; level 9, as tests/browser/bench-page.mjs
// reports it). The build is deterministic, so this
// is a size check, not a timing one; tests/browser/bench-page.mjs has the rest of the figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { distDir } from './harness.mjs';

test('the page wasm is under 1 MB gzip', () => {
  const dir = distDir();
  const wasm = readdirSync(dir).filter((f) => f.endsWith('_bg.wasm'));
  assert.equal(wasm.length, 1, `one wasm in ${dir}: ${wasm}`);
  const bytes = readFileSync(join(dir, wasm[0]));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  console.log(`${wasm[0]}: raw ${(bytes.length / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB`);
  assert.ok(bytes.length > 100_000, 'a real build');
  assert.ok(gzip < 1_000_000, `gzip ${gzip} bytes, over the 1 MB budget`);
});
