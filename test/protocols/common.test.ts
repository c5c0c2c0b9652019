import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteWindow } from '../../shared/decode/window';
import { hex, hexBits, hexBytes, hexDigits } from '../../shared/protocols/common/hex';
import { cleanText } from '../../shared/protocols/common/text';
import { nameOf, values } from '../../shared/protocols/common/values';
import { covers } from '../../shared/protocols/vocabulary';

test('cleanText: cut at the first NUL, line breaks as one space, controls dropped, trimmed, clipped', () => {
  assert.equal(cleanText('01.00\0\0\0\u000101.06'), '01.00');
  assert.equal(cleanText(' Cisco IOS\r\n  Version 15\t(x)\u0007 '), 'Cisco IOS   Version 15 (x)');
  assert.equal(cleanText('x'.repeat(600)).length, 512);
  assert.equal(cleanText('abcdef', 3), 'abc');
  assert.equal(cleanText('\0name'), '');
  // Text with no control character takes the short path: trimmed (Unicode blanks too) and clipped.
  assert.equal(cleanText('\u00a0 Apache/2.4 \u2028'), 'Apache/2.4');
  assert.equal(cleanText(' abcdef ', 3), 'abc');
});

test('cleanText gives what the cut, the two replacements and trim give, on any text', () => {
  // The three steps as they read before the short path for text without control characters.
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/g;
  const reference = (s: string, max?: number) => {
    const nul = s.indexOf('\0');
    if (nul >= 0) s = s.slice(0, nul);
    s = s
      .replace(/[\r\n\t]+/g, ' ')
      .replace(control, '')
      .trim();
    return max === undefined ? (s.length > 512 ? s.slice(0, 512) : s) : s.slice(0, max);
  };
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('\0', '\r\n', '\t', '\u0007', '\u007f', ' ', '\u00a0', '\u2028', 'é', 'x'.repeat(520)),
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 6 }),
      fc.option(fc.nat(40), { nil: undefined }),
      (parts, max) => {
        const s = parts.join('');
        assert.equal(cleanText(s, max), reference(s, max));
      },
    ),
    { numRuns: 5000 },
  );
});

test('hex helpers: codes, digits and bytes', () => {
  assert.equal(hex(0x2f, 4), '0x002f');
  assert.equal(hex(-1, 8), '0xffffffff');
  assert.equal(hexDigits(10, 2), '0a');
  const w = new ByteWindow().reset(Uint8Array.of(0xde, 0xad, 0xbe, 0xef), 0, 4);
  assert.equal(hexBytes(w, 1, 3), 'adbeef');
  assert.equal(hexBytes(w, 0, 4, 2), 'dead');
  // Flag bits as codes, lowest first; the top bit of a 32-bit field included.
  assert.deepEqual(hexBits(0x14, 16), ['0x0004', '0x0010']);
  assert.deepEqual(hexBits(0x80000001, 32), ['0x00000001', '0x80000000']);
  assert.deepEqual(hexBits(0, 8), []);
});

test('value tables: a name for a known code, the code or a fallback for another', () => {
  const t = values({ 0x00b2: 'Unconnected Data Item', 12: 'CIP Identity' });
  assert.equal(nameOf(t, 0xb2), 'Unconnected Data Item');
  assert.equal(nameOf(t, 12), 'CIP Identity');
  assert.equal(nameOf(t, 7), '7');
  assert.equal(nameOf(t, 7, 'unknown'), 'unknown');
  assert.equal(
    nameOf(t, 7, (c) => `type ${c}`),
    'type 7',
  );
});

test('declared names: * stands for any run of characters, anywhere', () => {
  assert.ok(covers('txt.*', 'txt.model'));
  assert.ok(covers('*(routed)', 'I-Am(routed)'));
  assert.ok(covers('option12', 'option12'));
  assert.ok(!covers('option12', 'option121'));
  assert.ok(!covers('txt.*', 'TXT'));
  assert.ok(!covers('a*b*c', 'abx'));
  assert.ok(covers('a*b*c', 'a-b-c'));
});
