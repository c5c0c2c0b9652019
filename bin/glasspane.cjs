#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation suits a stream of short-lived packet data: 4 MB semi-spaces keep the
// peak of the bench capture at 147-160 MB, where 8 MB gave 158-178 MB and V8's default 176-194 MB,
// at the same speed within run-to-run noise (alternating runs of the bench capture).
// The installed command. Runs the bundle that `npm run build` (and npm's `prepare`) writes, with V8's
// code cache beside it (dist/.cli.code-cache): compiling the bundle is a fifth of the start-up time
// of an analysis, and the cache (written by the first run after a build) skips it. V8 itself rejects a
// cache that does not fit this Node; V8 checks only the source's length, so the cache also names the
// bundle's size and modification time, and a cache from another build is not used.
'use strict';
const { existsSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');
const { Buffer } = require('node:buffer');

const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('glasspane: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}
const cacheFile = join(__dirname, '..', 'dist', '.cli.code-cache');
const st = statSync(bundle);
const stamp = Buffer.from(`${st.size}:${st.mtimeMs}\n`);
let cached;
try {
  const c = readFileSync(cacheFile);
  cached = c.subarray(0, stamp.length).equals(stamp) ? c.subarray(stamp.length) : undefined;
} catch {
  cached = undefined;
}
const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  cachedData: cached,
});
if (cached === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only installation starts without the cache.
    }
  });
}
const m = new Module(bundle, module);
m.filename = bundle;
m.loaded = true;
script.runInThisContext()(m.exports, Module.createRequire(bundle), m, bundle, dirname(bundle));
