/**
 * electron-builder downloads Electron to package, so packaging cannot run here; this checks the
 * configuration instead: against electron-builder's own schema, and for the points that matter to
 * us (targets, native modules outside the asar, capture rights for the helper only).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  NATIVE_HELPER_DIST,
  NATIVE_HELPER_NAME,
  NATIVE_HELPER_RESOURCES,
} from '../../src-main/capture/live/helper-path';
import { repoRoot } from './helpers/paths';

interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: string[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  extraResources?: { from: string; to: string }[];
  linux?: { target?: string[]; executableName?: string };
  deb?: { afterInstall?: string; depends?: string[] };
  rpm?: { afterInstall?: string; depends?: string[] };
  win?: { target?: string[] };
  mac?: { target?: string[] };
  electronFuses?: Record<string, boolean>;
}

const requireHere = createRequire(join(repoRoot, 'package.json'));
const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

type Matcher = (path: string, pattern: string, opts?: { dot?: boolean }) => boolean;
function loadMinimatch(): Matcher | null {
  try {
    const m = requireHere('minimatch') as { minimatch?: Matcher } | Matcher;
    return typeof m === 'function' ? m : (m.minimatch ?? null);
  } catch {
    return null;
  }
}

test('the configuration passes electron-builder’s own schema', async (t) => {
  let validate: (c: unknown, logger: unknown) => Promise<void>;
  let DebugLogger: new (enabled: boolean) => unknown;
  try {
    ({ validateConfiguration: validate } = requireHere('app-builder-lib/out/util/config/config'));
    ({ DebugLogger } = requireHere('builder-util'));
  } catch {
    return t.skip('app-builder-lib is not installed (it comes with electron-builder)');
  }
  await validate(structuredClone(config), new DebugLogger(false));
  // And the validator does reject nonsense, so the pass above means something.
  await assert.rejects(validate({ ...config, linux: { targett: ['deb'] } }, new DebugLogger(false)));
});

test('Electron fuses: never node, no NODE_OPTIONS or --inspect; only our own app.asar, checked', async (t) => {
  const f = config.electronFuses ?? {};
  // ELECTRON_RUN_AS_NODE would make the app binary a general-purpose node (run-as-node.test.ts
  // checks nothing of ours depends on it).
  assert.equal(f.runAsNode, false, 'runAsNode');
  assert.equal(f.enableNodeOptionsEnvironmentVariable, false, 'enableNodeOptionsEnvironmentVariable');
  assert.equal(f.enableNodeCliInspectArguments, false, 'enableNodeCliInspectArguments');
  assert.equal(f.enableEmbeddedAsarIntegrityValidation, true, 'enableEmbeddedAsarIntegrityValidation');
  assert.equal(f.onlyLoadAppFromAsar, true, 'onlyLoadAppFromAsar');
  // Off on purpose: the UI sets no cookies; see the comment in electron-builder.yml.
  assert.equal(f.enableCookieEncryption, false, 'enableCookieEncryption');
  // onlyLoadAppFromAsar needs the app in an asar.
  assert.notEqual(config.asar, false);
  // Every key is one electron-builder's FuseOptionsV1 knows (a misspelt fuse would be no fuse).
  let schema: { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
  try {
    schema = requireHere('app-builder-lib/scheme.json');
  } catch {
    return t.skip('app-builder-lib is not installed (it comes with electron-builder)');
  }
  const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
  for (const k of Object.keys(f)) assert.ok(known.includes(k), `${k} is a FuseOptionsV1 option`);
  const { validateConfiguration: validate } = requireHere('app-builder-lib/out/util/config/config') as {
    validateConfiguration: (c: unknown, logger: unknown) => Promise<void>;
  };
  const { DebugLogger } = requireHere('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await assert.rejects(
    validate({ ...config, electronFuses: { ...f, runAsNod: false } }, new DebugLogger(false)),
    'the schema checks the fuses too',
  );
});

test('identity, targets and files', () => {
  assert.equal(config.productName, 'Glasspane');
  assert.match(config.appId ?? '', /^[a-z0-9]+(\.[a-z0-9-]+)+$/);
  for (const t of ['AppImage', 'deb', 'rpm']) assert.ok(config.linux?.target?.includes(t), `linux ${t}`);
  assert.ok(config.win?.target?.includes('nsis'));
  assert.ok(config.mac?.target?.includes('dmg'));
  assert.ok(
    config.files?.some((f) => /^dist\/\*\*/.test(f)),
    'files must include dist/**',
  );
  assert.ok(config.files?.includes('package.json'));
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string };
  assert.match(pkg.main, /^dist\//, 'package.json main must point into dist/');
  assert.equal(config.npmRebuild, true);
  assert.ok(existsSync(join(repoRoot, 'assets/icons/icon.png')));
});

test('native modules are unpacked from the asar; the rest stays packed', (t) => {
  const match = loadMinimatch();
  if (!match) return t.skip('minimatch is not installed (it comes with electron-builder)');
  assert.notEqual(config.asar, false);
  const unpacked = (p: string) => (config.asarUnpack ?? []).some((pat) => match(p, pat, { dot: true }));
  for (const p of [
    'node_modules/cap/build/Release/cap.node',
    'node_modules/cap/lib/Cap.js',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/better-sqlite3/lib/database.js',
    'node_modules/some-future-addon/build/Release/addon.node',
  ]) {
    assert.ok(unpacked(p), `${p} must be unpacked`);
  }
  for (const p of [
    'dist/renderer/main.js',
    'dist/electron/main.cjs',
    'dist/capture-process.cjs',
    'node_modules/react/index.js',
  ]) {
    assert.equal(unpacked(p), false, `${p} should stay in the asar`);
  }
});

test('deb and rpm grant capture rights to the capture helper only', () => {
  for (const target of ['deb', 'rpm'] as const) {
    const script = config[target]?.afterInstall;
    assert.equal(script, 'assets/linux/after-install.sh', `${target} afterInstall`);
  }
  const text = readFileSync(join(repoRoot, 'assets/linux/after-install.sh'), 'utf8');

  // Exactly one setcap that grants, with the capabilities asked for, on the helper variable.
  const grants = text.split('\n').filter((l) => /^\s*setcap\s/.test(l));
  assert.equal(grants.length, 1, grants.join('\n'));
  assert.match(grants[0]!, /^\s*setcap cap_net_raw=eip "\$CAPTURE_HELPER"/);
  // Runnable by root and the glasspane group only; the group is created when missing.
  assert.match(
    text,
    /^\s*chown "root:\$CAPTURE_GROUP" "\$CAPTURE_HELPER" && chmod 0750 "\$CAPTURE_HELPER"$/m,
  );
  assert.match(text, /^CAPTURE_GROUP='glasspane'$/m);
  assert.match(text, /groupadd --system "\$CAPTURE_GROUP"/);
  // The helper is a dedicated file inside resources/capture/, which extraResources fills.
  const helper = /^CAPTURE_HELPER="\$APP_DIR\/resources\/(capture)\/glasspane-capture"$/m.exec(text);
  assert.ok(helper, 'CAPTURE_HELPER must be resources/capture/glasspane-capture');
  assert.ok(config.extraResources?.some((r) => r.to.replace(/\/$/, '') === helper[1]));
  // Never the app itself, never setuid for capture, never a symlink target.
  assert.doesNotMatch(text, /setcap[^\n]*\$EXECUTABLE/);
  assert.doesNotMatch(text, /setcap[^\n]*\$APP_DIR\/\$/);
  assert.doesNotMatch(text, /chmod [0-7]*[4-7][0-7]{3} "\$CAPTURE_HELPER"|chmod u\+s/);
  assert.match(text, /! -L "\$CAPTURE_HELPER"/);
  // electron-builder fills these placeholders; the script must be valid bash once filled.
  assert.match(text, /\$\{sanitizedProductName\}/);
  const filled = text
    .replaceAll('${sanitizedProductName}', 'Glasspane')
    .replaceAll('${executable}', 'glasspane');
  const r = spawnSync('bash', ['-n'], { input: filled, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(text, /^exit 0$/m, 'a failed grant must not fail the package install');
});

test('deb and rpm depend on libpcap, which cap links', () => {
  assert.ok(config.deb?.depends?.some((d) => /libpcap0\.8/.test(d)));
  assert.ok(config.rpm?.depends?.includes('libpcap'));
});

test('the capture helper the package ships is the one the build writes and live-source looks for', (t) => {
  // electron-builder copies dist/capture-helper/ to resources/capture/ ...
  const shipped = config.extraResources?.find((r) => r.to.replace(/\/$/, '') === 'capture');
  assert.ok(shipped, 'extraResources must fill resources/capture/');
  const dist = posix.join(shipped.from, NATIVE_HELPER_NAME);
  assert.equal(dist, posix.join('dist', NATIVE_HELPER_DIST));
  // ... where live-source looks for it (resources/capture/glasspane-capture) ...
  assert.equal(NATIVE_HELPER_RESOURCES, posix.join(shipped.to.replace(/\/$/, ''), NATIVE_HELPER_NAME));
  // ... and where the after-install script grants it capture rights.
  const text = readFileSync(join(repoRoot, 'assets/linux/after-install.sh'), 'utf8');
  assert.match(text, new RegExp(`^CAPTURE_HELPER="\\$APP_DIR/resources/${NATIVE_HELPER_RESOURCES}"$`, 'm'));
  // The build script writes it there (when this machine can compile it).
  const out = mkdtempSync(join(tmpdir(), 'gp-helper-build-'));
  try {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'scripts/build-capture-helper.mjs'), `--out=${out}`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    if (/skipping/.test(r.stdout)) return t.skip(r.stdout.trim());
    const built = join(out, NATIVE_HELPER_DIST);
    assert.ok(statSync(built).isFile(), `${built} built`);
    assert.equal(statSync(built).mode & 0o111, 0o111, 'executable');
    assert.equal(statSync(built).mode & 0o6000, 0, 'never setuid or setgid');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
