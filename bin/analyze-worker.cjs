// An analysis thread of `glasspane analyze --threads N`: the worker bundle (dist/analyze-worker.cjs)
// run with its code cache (dist/.analyze-worker.code-cache; see code-cache.cjs). The bundle returns
// once the pool closes its ring; the cache, if it must be written, is written then.
'use strict';
const { join } = require('node:path');
const { runCached } = require('./code-cache.cjs');

const dist = join(__dirname, '..', 'dist');
runCached(join(dist, 'analyze-worker.cjs'), join(dist, '.analyze-worker.code-cache'), module)();
