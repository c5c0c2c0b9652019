import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  isGrease,
  ja3String,
  ja3sString,
  ja4,
  ja4s,
  type ClientHelloInfo,
  type ServerHelloInfo,
} from '../../../shared/protocols/it/tls';
import { Rng } from '../../helpers/random';

// JA3, JA4 and their server forms are written into one scratch buffer; these compare them with the
// array-and-join definitions they replaced, on random hellos with GREASE, SNI and ALPN codes mixed in.

const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const hex4 = (v: number) => v.toString(16).padStart(4, '0');
const two = (n: number) => (n > 99 ? 99 : n).toString().padStart(2, '0');
const VERSIONS: Record<number, string> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
};
const alpn = (b: Uint8Array | null) =>
  b === null || b.length === 0 ? '00' : String.fromCharCode(b[0]!) + String.fromCharCode(b[b.length - 1]!);

function ja3Old(c: ClientHelloInfo): string {
  const j = (a: number[]) => a.filter((x) => !isGrease(x)).join('-');
  return `${c.version},${j(c.ciphers)},${j(c.extensions)},${j(c.groups)},${c.pointFormats.join('-')}`;
}

function ja4Old(c: ClientHelloInfo): string {
  const ciphers = c.ciphers.filter((x) => !isGrease(x));
  const exts = c.extensions.filter((x) => !isGrease(x));
  const versions = c.versions.filter((x) => !isGrease(x));
  const version = versions.length > 0 ? Math.max(...versions) : c.version;
  const a =
    't' +
    (VERSIONS[version] ?? '00') +
    (c.extensions.includes(0) ? 'd' : 'i') +
    two(ciphers.length) +
    two(exts.length) +
    alpn(c.firstAlpn);
  const b = ciphers.length === 0 ? '000000000000' : sha12(ciphers.map(hex4).sort().join(','));
  const sorted = exts
    .filter((x) => x !== 0 && x !== 0x10)
    .map(hex4)
    .sort()
    .join(',');
  const sig = c.sigAlgs
    .filter((x) => !isGrease(x))
    .map(hex4)
    .join(',');
  const cpart = sorted === '' ? '000000000000' : sha12(sig === '' ? sorted : sorted + '_' + sig);
  return a + '_' + b + '_' + cpart;
}

function ja4sOld(s: ServerHelloInfo): string {
  const exts = s.extensions.filter((x) => !isGrease(x));
  const version = s.selectedVersion > 0 ? s.selectedVersion : s.version;
  const a = 't' + (VERSIONS[version] ?? '00') + two(exts.length) + alpn(s.alpn);
  const c = exts.length === 0 ? '000000000000' : sha12(exts.map(hex4).join(','));
  return a + '_' + hex4(s.cipher) + '_' + c;
}

/** Codes from a pool that has GREASE, SNI, ALPN, zero, the largest code and ordinary ones. */
function codes(r: Rng, max: number): number[] {
  const pool = [0x0000, 0x0010, 0x0a0a, 0xfafa, 0xffff, 0x1301, 0x00ff, 0xc02b, 0x000d, 0x002b, 0x0017];
  const out: number[] = [];
  for (let n = r.u32() % max, i = 0; i < n; i++)
    out.push(r.u32() % 3 === 0 ? r.u32() & 0xffff : pool[r.u32() % pool.length]!);
  return out;
}

test('JA3, JA4, JA3S and JA4S match their array-and-join definitions on random hellos', () => {
  let hashed = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = new Rng(seed);
    const big = seed % 100 === 0 ? 512 : 24;
    const c: ClientHelloInfo = {
      version: [0x0303, 0x0301, 0x0300, 0x0a0a][r.u32() % 4]!,
      ciphers: codes(r, big),
      extensions: codes(r, big),
      groups: codes(r, 8),
      pointFormats: codes(r, 4).map((x) => x & 0xff),
      sigAlgs: codes(r, big),
      versions: codes(r, 4),
      sni: '',
      alpn: [],
      firstAlpn: r.u32() % 2 === 0 ? null : Uint8Array.from([0x68, 0x32]),
    };
    assert.equal(ja3String(c), ja3Old(c), `seed ${seed}`);
    assert.equal(ja4(c), ja4Old(c), `seed ${seed}`);
    if (!ja4(c).endsWith('_000000000000')) hashed++;
    const s: ServerHelloInfo = {
      version: 0x0303,
      cipher: r.u32() & 0xffff,
      extensions: codes(r, big),
      selectedVersion: r.u32() % 2 === 0 ? -1 : 0x0304,
      alpn: null,
    };
    assert.equal(
      ja3sString(s),
      `${s.version},${s.cipher},${s.extensions.filter((x) => !isGrease(x)).join('-')}`,
    );
    assert.equal(ja4s(s), ja4sOld(s), `seed ${seed}`);
  }
  assert.ok(hashed > 1000, `hashed ${hashed}`);
});

test('isGrease: exactly the 16 GREASE codes of RFC 8701 among all 16-bit codes', () => {
  const grease = new Set(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
  const found: number[] = [];
  for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) found.push(v);
  assert.deepEqual(found, [...grease]);
});
