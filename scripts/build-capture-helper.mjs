// Compiles the native capture helper (src-main/capture/helper/glasspane-capture.c) into
// dist/capture-helper/glasspane-capture, which electron-builder ships as resources/capture/ and the
// deb/rpm after-install script grants capture rights to. Without a C compiler or libpcap's headers it
// skips with one line: live capture then keeps using the Node helper (dist/capture-process.cjs).
//
//   node scripts/build-capture-helper.mjs              into dist/capture-helper/
//   node scripts/build-capture-helper.mjs --out=DIR    into DIR/capture-helper/
//
// CC overrides the compiler (default cc); CFLAGS and LDFLAGS are appended.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HELPER_SOURCE = join(root, 'src-main/capture/helper/glasspane-capture.c');
export const HELPER_NAME = 'glasspane-capture';

const WARNINGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2'];
// It holds capture rights: build it hardened where the toolchain is GNU/Linux's.
const HARDENING_LINUX = [
  '-D_FORTIFY_SOURCE=2',
  '-fstack-protector-strong',
  '-fPIE',
  '-pie',
  '-Wl,-z,relro,-z,now',
];

function split(v) {
  return (v ?? '').split(/\s+/).filter(Boolean);
}

/** Why the helper cannot be built here, or null when it can. */
export function cannotBuild(cc = process.env.CC || 'cc') {
  if (process.platform === 'win32')
    return 'no native capture helper on Windows (capture uses Npcap through cap)';
  const v = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (v.error !== undefined || v.status !== 0) return `no C compiler (${cc})`;
  const h = spawnSync(cc, ['-E', '-x', 'c', '-', '-o', '/dev/null', ...split(process.env.CFLAGS)], {
    input: '#include <pcap/pcap.h>\n',
    encoding: 'utf8',
  });
  if (h.status !== 0) return 'no libpcap headers (pcap/pcap.h: install libpcap-dev or libpcap-devel)';
  return null;
}

function upToDate(target, inputs) {
  try {
    const t = statSync(target).mtimeMs;
    return inputs.every((i) => statSync(i).mtimeMs <= t);
  } catch {
    return false;
  }
}

/**
 * Builds DIR/capture-helper/glasspane-capture. Returns { ok: true, path } or { ok: false, skipped }
 * when this machine cannot build it; throws with the compiler's output when the source does not
 * compile (that is a bug to see, not a reason to skip).
 */
export function buildCaptureHelper({ out = join(root, 'dist') } = {}) {
  const cc = process.env.CC || 'cc';
  const why = cannotBuild(cc);
  if (why !== null) return { ok: false, skipped: why };
  const dir = join(out, 'capture-helper');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, HELPER_NAME);
  // Left alone when newer than its source and this script: a rebuild would replace the file and so
  // drop the capabilities a developer gave it with setcap.
  if (upToDate(target, [HELPER_SOURCE, fileURLToPath(import.meta.url)])) return { ok: true, path: target };
  const tmp = `${target}.tmp-${process.pid}`;
  const args = [
    ...WARNINGS,
    ...(process.platform === 'linux' ? HARDENING_LINUX : []),
    ...split(process.env.CFLAGS),
    '-o',
    tmp,
    HELPER_SOURCE,
    ...split(process.env.LDFLAGS),
    '-lpcap',
  ];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`${cc} ${args.join(' ')}\n${r.stderr || r.error?.message || ''}`.trim());
  }
  chmodSync(tmp, 0o755);
  // Renamed into place: a helper that is running (or holds capabilities) is never half-written.
  renameSync(tmp, target);
  return { ok: true, path: target };
}

/** One line for the build log. */
export function buildCaptureHelperStep(out) {
  const r = buildCaptureHelper({ out });
  if (r.ok) console.log(`build: capture helper ${relative(root, r.path) || r.path}`);
  else
    console.log(`build: skipping the native capture helper: ${r.skipped}; live capture uses the Node helper`);
  return r;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
  try {
    buildCaptureHelperStep(out === undefined ? undefined : resolve(out));
  } catch (e) {
    console.error(`build: the native capture helper does not compile:\n${e.message}`);
    process.exit(1);
  }
}
