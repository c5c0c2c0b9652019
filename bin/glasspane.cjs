#!/usr/bin/env node
// The installed command. Runs the bundle that `npm run build` (and npm's `prepare`) writes.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('glasspane: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}
require(bundle);
