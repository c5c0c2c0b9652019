import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { PCAPS, runCapture, type RunResult } from './corpus';

/**
 * SMB and NTLMSSP against tshark, frame by frame, on every capture whose MANIFEST lists smb or smb2:
 * the values tshark shows in a frame must be exactly the ones we report in it (session setups are
 * reported at the frame that completes the message, where tshark reassembles it), and we must report
 * nothing where tshark has nothing. Exceptions carry their reason.
 */
interface Field {
  field: string;
  ours: (o: Observation) => string | null;
  /** tshark's text for "absent" values it still prints (an empty NTLMSSP string is "NULL"). */
  theirs?: (v: string) => string | null;
}

const nul = (v: string) => (v === 'NULL' || v === '' ? null : v);

const FIELDS: Field[] = [
  {
    field: 'ntlmssp.auth.hostname',
    theirs: nul,
    ours: (o) => (o.kind === 'hostname' && o.field === 'ntlmssp.auth.workstation' ? o.name : null),
  },
  {
    field: 'ntlmssp.auth.domain',
    theirs: nul,
    ours: (o) =>
      o.kind === 'identity' && o.attr === 'domain' && o.field === 'ntlmssp.auth.domain' ? o.value : null,
  },
  {
    field: 'ntlmssp.challenge.target_info.nb_computer_name',
    ours: (o) => (o.kind === 'hostname' && o.field === 'ntlmssp.challenge.nbComputerName' ? o.name : null),
  },
  {
    field: 'ntlmssp.challenge.target_info.dns_computer_name',
    ours: (o) => (o.kind === 'hostname' && o.field === 'ntlmssp.challenge.dnsComputerName' ? o.name : null),
  },
  {
    field: 'ntlmssp.challenge.target_info.dns_domain_name',
    ours: (o) => (o.kind === 'identity' && o.field === 'ntlmssp.challenge.dnsDomainName' ? o.value : null),
  },
  {
    // Ours: the build is the third part of "major.minor.build" from whichever message carried it.
    field: 'ntlmssp.version.build_number',
    ours: (o) =>
      o.kind === 'identity' && o.attr === 'os-version' && o.field.startsWith('ntlmssp.')
        ? (o.value.split('.')[2] ?? null)
        : null,
  },
  {
    field: 'smb.native_os',
    ours: (o) =>
      o.kind === 'identity' && o.attr === 'os' && o.field === 'SessionSetup.NativeOS' ? o.value : null,
  },
  {
    field: 'smb.native_lanman',
    ours: (o) => (o.kind === 'software' && o.field === 'SessionSetup.NativeLanMan' ? o.raw : null),
  },
];

/** Frames where we knowingly differ. Key: `${field}@${file}#${frame}`. */
const EXCEPTIONS: Record<string, string> = {};

function smbCaptures(): string[] {
  const path = join(PCAPS, 'MANIFEST.tsv');
  if (!existsSync(path)) return [];
  const out: string[] = [];
  for (const l of readFileSync(path, 'utf8').split('\n').slice(1)) {
    const c = l.split('\t');
    if (c.length < 10) continue;
    const protos = c[9]!.split(',');
    if (protos.includes('smb') || protos.includes('smb2')) out.push(c[0]!);
  }
  return out;
}

test('tshark agreement: NTLMSSP and SMB session setup fields, frame by frame', (t) => {
  const files = smbCaptures();
  if (files.length === 0) return t.skip('corpus not present');
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const totals = new Map<string, { frames: number; agree: number; excused: number }>();
  const bad: string[] = [];
  for (const file of files) {
    const path = join(PCAPS, file);
    const ts = tsharkFields(path, ['frame.protocols', ...FIELDS.map((f) => f.field)]);
    const r: RunResult = runCapture(path);
    assert.equal(r.dissectorErrors, 0, file);
    FIELDS.forEach((f, i) => {
      const tot = totals.get(f.field) ?? { frames: 0, agree: 0, excused: 0 };
      totals.set(f.field, tot);
      const theirs = new Map<number, Set<string>>();
      for (const [n, cols] of ts) {
        // SMB over TCP only: NTLMSSP in other carriers (HTTP, DCE/RPC) is not this dissector's.
        const protos = (cols[0] ?? []).join(':').split(':');
        if (!protos.includes('smb') && !protos.includes('smb2')) continue;
        if (!protos.includes('tcp')) continue;
        const vals = (cols[i + 1] ?? []).map((v) => (f.theirs ? f.theirs(v) : v)).filter((v) => v !== null);
        if (vals.length > 0) theirs.set(n, new Set(vals));
      }
      const ours = new Map<number, Set<string>>();
      for (const o of r.obs) {
        if (o.protocol !== 'smb') continue;
        const v = f.ours(o);
        if (v === null) continue;
        let s = ours.get(o.frame);
        if (s === undefined) ours.set(o.frame, (s = new Set()));
        s.add(v);
      }
      for (const n of new Set([...theirs.keys(), ...ours.keys()])) {
        const T = theirs.get(n) ?? new Set<string>();
        const O = ours.get(n) ?? new Set<string>();
        const key = `${f.field}@${file}#${n}`;
        if (EXCEPTIONS[key] !== undefined) {
          tot.excused++;
          continue;
        }
        tot.frames++;
        if (T.size === O.size && [...T].every((x) => O.has(x))) tot.agree++;
        else if (bad.length < 20)
          bad.push(`${key}: tshark ${JSON.stringify([...T])} ours ${JSON.stringify([...O])}`);
      }
    });
  }
  for (const [field, { frames, agree, excused }] of totals)
    t.diagnostic(`${field}: ${agree}/${frames} frames agree` + (excused ? ` (${excused} excused)` : ''));
  assert.deepEqual(bad, []);
  for (const f of FIELDS) assert.ok((totals.get(f.field)?.frames ?? 0) > 0, `${f.field}: no frames compared`);
});
