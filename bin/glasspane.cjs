#!/usr/bin/env -S node --max-semi-space-size=4 --v8-pool-size=1
// The young generation. Once observations stopped making a hidden class each (their literals spread
// the common part last), the bench capture allocates little enough that the semi-space size no longer
// sets the speed: alternating runs took a median 1.10 s at 4 MB, 1.08 s at 8 MB and 1.10 s at 16 MB
// (--trace-gc: 63 ms and 55 ms of scavenges at 4 and 16 MB), while the peak was 121-125 MB, 127-132 MB
// and 140-146 MB. So the smallest: 4 MB.
// V8's pool of background threads: one. Node gives it four, which on a 2-core machine run TurboFan's
// compile jobs (about 1.4 s of them for the bench capture, --trace-opt) beside the analysis and take
// its core from it. With one, the analysis keeps a core: 8 alternating runs of bench-x10 took a median
// 1.04 s against 1.15 s with four (user CPU 1.56 s against 1.66 s), and --threads 2 gained as much.
// The installed command. Runs the bundle that `npm run build` (and npm's `prepare`) writes, with V8's
// code cache beside it (dist/.cli.code-cache; see code-cache.cjs).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { runCached } = require('./code-cache.cjs');

const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('glasspane: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}
// Written on exit, so the cache holds what the command compiled lazily too.
const keep = runCached(bundle, join(__dirname, '..', 'dist', '.cli.code-cache'), module);
process.once('exit', keep);
