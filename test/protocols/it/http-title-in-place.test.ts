import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { LINKTYPE_ETHERNET } from '../../../shared/decode/linktypes';
import type { Observation } from '../../../shared/model/observation';
import { http } from '../../../shared/protocols/it/http';
import { directionKey, type StreamBuf, type TwoDirections } from '../../../shared/protocols/it/stream';
import { ascii, tcpFrame } from '../../helpers/packets';

const CLIENT = { mac: '02:00:00:00:00:40', ip: '10.0.0.40', port: 50400 };
const SERVER = { mac: '02:00:00:00:00:41', ip: '10.0.0.41', port: 80 };

/** Decode the frames; the title observations, and the body buffer of the last frame's direction. */
function run(payloads: [boolean, string][]): { titles: string[]; bodyBuffer: number } {
  const d = new Decoder(LAYERS, [http], 65536, 0, true);
  const obs: Observation[] = [];
  d.onObservation = (o) => obs.push(o);
  payloads.forEach(([fromServer, text], i) => {
    const b = Uint8Array.from(
      tcpFrame(fromServer ? SERVER : CLIENT, fromServer ? CLIENT : SERVER, ascii(text)),
    );
    d.decode(b, LINKTYPE_ETHERNET, 1_700_000_000_000 + i * 1000, i + 1, b.length);
  });
  const f = d.flows.get(d.packet, false)?.state?.get('http') as { dirs: TwoDirections<{ buf: StreamBuf }> };
  return {
    titles: obs.flatMap((o) => (o.kind === 'attribute' && o.key === 'html-title' ? [o.value] : [])),
    bodyBuffer: f.dirs.get(directionKey(d.packet))!.buf.data.length,
  };
}

const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n';

test('HTTP: a title in the segment that ends the headers is read in place, with no body buffer', () => {
  const r = run([
    [false, 'GET / HTTP/1.1\r\nHost: cam\r\n\r\n'],
    [true, head + '<html><head><title>Door  Camera</title></head>'],
  ]);
  assert.deepEqual(r.titles, ['Door Camera']);
  assert.equal(r.bodyBuffer, 0);
});

test('HTTP: a title that may still come keeps the body start, and is found in the next segment', () => {
  const r = run([
    [false, 'GET / HTTP/1.1\r\nHost: cam\r\n\r\n'],
    [true, head + '<html><head><ti'],
    [true, 'tle>Gate</title></head>'],
  ]);
  assert.deepEqual(r.titles, ['Gate']);
  // No title and no head end in the first body segment: nothing to say yet.
  assert.deepEqual(
    run([
      [false, 'GET / HTTP/1.1\r\n\r\n'],
      [true, head + '<html><head>'],
    ]).titles,
    [],
  );
  assert.ok(
    run([
      [false, 'GET / HTTP/1.1\r\n\r\n'],
      [true, head + '<html><head>'],
    ]).bodyBuffer > 0,
  );
  // The head ended without a title: the search stops, nothing kept.
  const none = run([
    [false, 'GET / HTTP/1.1\r\n\r\n'],
    [true, head + '<html><head></head><body>'],
  ]);
  assert.deepEqual(none.titles, []);
  assert.equal(none.bodyBuffer, 0);
});
