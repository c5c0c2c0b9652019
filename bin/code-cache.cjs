// Runs a CommonJS bundle with V8's code cache beside it: compiling a bundle is a fifth of the
// start-up time of an analysis, and the cache (written by the first run after a build) skips it.
// V8 itself rejects a cache that does not fit this Node; V8 checks only the source's length, so the
// cache also names the bundle's size and modification time, and a cache from another build is not
// used. V8 does not check the cached bytes either (damaged ones abort the process with a fatal
// error), so the header carries a checksum of them and a damaged cache is compiled over and rewritten.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');
const { Buffer } = require('node:buffer');
const zlib = require('node:zlib');

/**
 * The checksum in the header: CRC-32 (zlib's, Node 20.15 and later), else SHA-1. It guards against
 * damage, not forgery (whoever can write the cache can write the bundle), and CRC-32 of the 1.4 MB
 * cache takes 0.25 ms where SHA-1 took 1-2 ms with loading node:crypto and OpenSSL, which an
 * analysis needs for nothing else. The two differ in length, so a cache from the other is rewritten.
 */
const checksum =
  typeof zlib.crc32 === 'function'
    ? (b) => zlib.crc32(b).toString(16).padStart(8, '0')
    : (b) => require('node:crypto').createHash('sha1').update(b).digest('hex');

/**
 * Loads `bundle` as a module of `parent` and runs it, using and keeping `cacheFile`. Returns a
 * function that writes the cache if it was missing or rejected (a no-op otherwise): call it once the
 * bundle has done most of its work, so the cache holds the functions it compiled lazily too.
 */
module.exports.runCached = function runCached(bundle, cacheFile, parent) {
  const st = statSync(bundle);
  const stamp = `${st.size}:${st.mtimeMs}:`;
  let cached;
  try {
    const c = readFileSync(cacheFile);
    const nl = c.indexOf(10);
    const head = nl < 0 ? '' : c.subarray(0, nl).toString('latin1');
    const data = c.subarray(nl + 1);
    cached = head.startsWith(stamp) && head === stamp + checksum(data) ? data : undefined;
  } catch {
    cached = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData: cached,
  });
  let keep = cached === undefined || script.cachedDataRejected === true;
  const write = () => {
    if (!keep) return;
    keep = false;
    try {
      const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      const data = script.createCachedData();
      writeFileSync(tmp, Buffer.concat([Buffer.from(`${stamp}${checksum(data)}\n`), data]));
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only installation starts without the cache.
    }
  };
  const m = new Module(bundle, parent);
  m.filename = bundle;
  m.loaded = true;
  script.runInThisContext()(m.exports, Module.createRequire(bundle), m, bundle, dirname(bundle));
  return write;
};
