import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWindow } from '../../../shared/decode/window';
import { headerBlockEnd, parseHeaderBlock } from '../../../shared/protocols/it/text';
import { Rng } from '../../helpers/random';

const win = (s: string | Uint8Array) => {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return new ByteWindow().reset(b, 0, b.length);
};

test('wanted headers: the same values as a full parse, without the others', () => {
  const block =
    'GET / HTTP/1.1\r\nHost: cam.local:8080\r\nCookie: a=b\r\n user-AGENT \t:  Foo/1.0 (x)  \r\n' +
    'HOST: second\r\nX-Powered-By:PHP/8\r\n\r\nbody';
  const all = parseHeaderBlock(win(block));
  const some = parseHeaderBlock(win(block), 16384, ['user-agent', 'host', 'x-powered-by', 'server']);
  assert.equal(some.start, 'GET / HTTP/1.1');
  assert.equal(some.bodyStart, all.bodyStart);
  assert.equal(some.bodyStart, block.indexOf('body'));
  assert.deepEqual(
    [...some.headers],
    [
      ['host', 'cam.local:8080'],
      ['user-agent', 'Foo/1.0 (x)'],
      ['x-powered-by', 'PHP/8'],
    ],
  );
  assert.equal(all.headers.get('cookie'), 'a=b');
  assert.equal(some.headers.has('cookie'), false);
});

/** A deterministic generator of header-like bytes: names, colons, blanks, CR, LF, Latin-1. */
function randomBlock(seed: number): Uint8Array {
  const r = new Rng(seed);
  const next = () => r.u32();
  const alphabet = [
    'Host',
    'host',
    'USER-agent',
    'Server',
    'x',
    ':',
    ' ',
    '\t',
    '\r',
    '\n',
    '\r\n',
    'a',
    '\xa0',
  ];
  let text = 'HTTP/1.1 200 OK\r\n';
  const n = next() % 60;
  for (let i = 0; i < n; i++) text += alphabet[next() % alphabet.length];
  return Buffer.from(text, 'latin1');
}

test('wanted headers and headerBlockEnd agree with the full parse on random blocks', () => {
  const want = ['host', 'user-agent', 'server'];
  for (let seed = 1; seed <= 3000; seed++) {
    const w = win(randomBlock(seed));
    const all = parseHeaderBlock(w);
    const some = parseHeaderBlock(w, 16384, want);
    assert.equal(some.bodyStart, all.bodyStart, `seed ${seed}`);
    for (const n of want) assert.equal(some.headers.get(n), all.headers.get(n), `seed ${seed} ${n}`);
    // The pre-check may only say "complete" when the parse finds the end (and then where it does).
    const end = headerBlockEnd(w);
    if (all.bodyStart >= 0) assert.equal(end, all.bodyStart, `seed ${seed}`);
  }
});

test('without the start line: start is empty, headers and body offset as with it', () => {
  const block =
    'NOTIFY * HTTP/1.1\r\nServer: \x0b\xa0Linux UPnP/1.0\t \r\nHost:\xa0\r\nLOCATION: http://x/\r\n\r\n';
  const want = ['server', 'host', 'location'];
  const withStart = parseHeaderBlock(win(block), 16384, want);
  const without = parseHeaderBlock(win(block), 16384, want, false);
  assert.equal(withStart.start, 'NOTIFY * HTTP/1.1');
  assert.equal(without.start, '');
  assert.equal(without.bodyStart, block.length);
  assert.deepEqual([...without.headers], [...withStart.headers]);
  // Values lose what String.prototype.trim removes (VT, NBSP, tab, space), and nothing else.
  assert.deepEqual(
    [...without.headers],
    [
      ['server', 'Linux UPnP/1.0'],
      ['host', ''],
      ['location', 'http://x/'],
    ],
  );
});

test('header values are trimmed exactly as trim() trims their Latin-1 text', () => {
  const w = new ByteWindow();
  for (let seed = 1; seed <= 2000; seed++) {
    const r = new Rng(seed);
    const blanks = [0x20, 0x09, 0x0b, 0x0c, 0xa0, 0x85, 0x61, 0x00, 0xff];
    const value: number[] = [];
    const n = r.u32() % 12;
    for (let i = 0; i < n; i++) value.push(blanks[r.u32() % blanks.length]!);
    const b = Uint8Array.from([...Buffer.from('A\r\nHost:', 'latin1'), ...value, 0x0d, 0x0a, 0x0d, 0x0a]);
    const h = parseHeaderBlock(w.reset(b, 0, b.length), 16384, ['host'], false);
    assert.equal(h.headers.get('host'), Buffer.from(value).toString('latin1').trim(), `seed ${seed}`);
  }
});

test('headerBlockEnd: LF and CRLF endings, a block that starts empty, none yet', () => {
  assert.equal(headerBlockEnd(win('A: b\n\nrest')), 6);
  assert.equal(headerBlockEnd(win('A: b\r\n\r\nrest')), 8);
  assert.equal(headerBlockEnd(win('\r\nrest')), 2);
  assert.equal(headerBlockEnd(win('A: b\r\nC: d\r\n')), -1);
  assert.equal(headerBlockEnd(win('A: b\r\n\r\n'), 7), -1);
});

test('a block cut before its blank line: every line read, the last one whole, no body', () => {
  for (const want of [undefined, ['server', 'x-b']]) {
    const h = parseHeaderBlock(win('HTTP/1.1 200 OK\r\nServer: abc\r\nX-B:  last value'), 16384, want);
    assert.equal(h.start, 'HTTP/1.1 200 OK');
    assert.equal(h.headers.get('server'), 'abc');
    assert.equal(h.headers.get('x-b'), 'last value');
    assert.equal(h.bodyStart, -1);
  }
});
