import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWindow } from '../../../shared/decode/window';
import { headerSpans, parseHeaderBlock } from '../../../shared/protocols/it/text';
import { cleanText } from '../../../shared/protocols/common/text';
import { tcpFrame } from '../../helpers/packets';
import { decodeFrames, ofKind } from './run';
import { Rng } from '../../helpers/random';

// HTTP reads header values and the body's <title> in place; these compare it with the string-based
// reading it replaced (parseHeaderBlock's values, the title and Content-Type regular expressions).

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const CLIENT = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const CAM = { mac: '02:00:00:00:00:30', ip: '10.0.0.30', port: 80 };

function pick(r: Rng, xs: readonly string[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += xs[r.u32() % xs.length];
  return s;
}

test('headerSpans finds the values parseHeaderBlock makes, on random blocks', () => {
  const want = ['host', 'user-agent', 'server', 'x'];
  const parts = [
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
  const spans = new Int32Array(2 * want.length);
  const w = new ByteWindow();
  let found = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = new Rng(seed);
    const b = latin1('HTTP/1.1 200 OK\r\n' + pick(r, parts, r.u32() % 60));
    w.reset(b, 0, b.length);
    const h = parseHeaderBlock(w, 16384, want, false);
    assert.equal(headerSpans(w, 16384, want, spans), h.bodyStart, `seed ${seed}`);
    want.forEach((n, k) => {
      const s = spans[2 * k]!;
      const v = s < 0 ? undefined : w.ascii(s, spans[2 * k + 1]! - s, 4096);
      if (v !== undefined) found++;
      assert.equal(v, h.headers.get(n), `seed ${seed} ${n}`);
    });
  }
  assert.ok(found > 300, `values found ${found}`);
});

/** The title the regular expressions found in a response to a text/html Content-Type, or undefined. */
function titleByRegex(contentType: string, body: string): string | undefined {
  if (!/html/i.test(cleanText(contentType)) || body === '') return undefined;
  const m = /<title[^>]{0,128}>([^<]{0,512})<\/title/i.exec(body.slice(0, 8192));
  if (m === null) return undefined;
  const t = cleanText(m[1]!.replace(/\s+/g, ' '), 256);
  return t === '' ? undefined : t;
}

test('the title and Content-Type read in place match the regular expressions, on random responses', () => {
  const types = [
    'ht\x7fml',
    'text/html',
    'TEXT/HTML',
    'text/plain',
    'ht\x01ml',
    'htm',
    'x'.repeat(509),
    'Html',
    '\x00html',
  ];
  const body = ['<title', '<TiTlE', '<title x="1"', '>', '<', '</title', '</TITLE>', 'a', ' ', '\r\n', 'é'];
  const long = ['a'.repeat(127), 'a'.repeat(128), 'b'.repeat(510), 'b'.repeat(511), 'b'.repeat(512)];
  let titles = 0;
  for (let seed = 1; seed <= 2000; seed++) {
    const r = new Rng(seed);
    const ct = pick(r, types, 1 + (r.u32() % 2));
    let b = '';
    for (let n = r.u32() % 24, i = 0; i < n; i++)
      b += r.u32() % 8 === 0 ? long[r.u32() % long.length] : body[r.u32() % body.length];
    const resp = latin1(`HTTP/1.1 200 OK\r\nContent-Type: ${ct}\r\n\r\n${b}`);
    const run = decodeFrames([tcpFrame(CAM, CLIENT, resp, { seq: 1 })]);
    assert.equal(run.errors, 0);
    const got = ofKind(run.obs, 'attribute').find((o) => o.key === 'html-title')?.value;
    const want = titleByRegex(ct, b);
    if (want !== undefined) titles++;
    assert.equal(got, want, `seed ${seed}: ${JSON.stringify(ct)} ${JSON.stringify(b)}`);
  }
  assert.ok(titles > 50, `titles ${titles}`);
});

test('a title past a body split over segments, and one past the first 8 KB, as before', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n';
  const page = latin1(head + '<html><head><meta x="' + 'y'.repeat(3000) + '"><TITLE >Cam\t 7</Title></head>');
  const split = decodeFrames([
    tcpFrame(CAM, CLIENT, page.subarray(0, 1400), { seq: 1 }),
    tcpFrame(CAM, CLIENT, page.subarray(1400, 2800), { seq: 1401 }),
    tcpFrame(CAM, CLIENT, page.subarray(2800), { seq: 2801 }),
  ]);
  assert.deepEqual(
    ofKind(split.obs, 'attribute')
      .filter((o) => o.key === 'html-title')
      .map((o) => [o.frame, o.value]),
    [[3, 'Cam 7']],
  );
  const far = latin1(head + 'z'.repeat(8190) + '<title>late</title>');
  const segs = [0, 1400, 2800, 4200, 5600, 7000, 8400].map((o) =>
    tcpFrame(CAM, CLIENT, far.subarray(o, o + 1400), { seq: 1 + o }),
  );
  assert.deepEqual(
    ofKind(decodeFrames(segs).obs, 'attribute').filter((o) => o.key === 'html-title'),
    [],
  );
});

test('the title bounds: 128 bytes of attributes and 512 of text, not one more', () => {
  const cases = [
    ['<title' + 'a'.repeat(128) + '>T1</title>', 'T1'],
    ['<title' + 'a'.repeat(129) + '>T2</title>', undefined],
    ['<title>' + 'b'.repeat(512) + '</title>', 'b'.repeat(256)],
    ['<title>' + 'b'.repeat(513) + '</title>', undefined],
    ['<title' + 'a'.repeat(129) + '><TITLE>T3</TITLE', 'T3'],
    ['<title>T4</titl', undefined],
  ] as const;
  for (const [body, title] of cases) {
    const resp = latin1(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n${body}`);
    const got = ofKind(decodeFrames([tcpFrame(CAM, CLIENT, resp, { seq: 1 })]).obs, 'attribute').find(
      (o) => o.key === 'html-title',
    )?.value;
    assert.equal(got, title, body.slice(0, 20));
    assert.equal(titleByRegex('text/html', body), title, body.slice(0, 20));
  }
});
