import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { corpusAvailable, skipUnlessCorpus } from '../../helpers/corpus';
import { PCAPS, runCapture } from './corpus';
import { ofKind } from './run';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { CaptureParser } from '../../../shared/capture/parser';
import { IT_PROTOCOLS } from '../../../shared/protocols/it/index';

const ready = () => corpusAvailable() && tsharkAvailable();

test('every corpus capture decodes with no dissector error, and so does a corrupted copy of each', (t) => {
  if (skipUnlessCorpus(t)) return;
  const files = readdirSync(PCAPS).filter((f) => /\.(pcap|pcapng)$/.test(f));
  let frames = 0;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (const f of files) {
    const r = runCapture(join(PCAPS, f));
    assert.equal(r.dissectorErrors, 0, f);
    frames += r.frames;
    // editcap -E style: corrupt ~2% of the bytes after the Ethernet header of every frame.
    const dec = new Decoder(LAYERS, IT_PROTOCOLS);
    let n = 0;
    const parser = new CaptureParser((data, lt, ts, wl, iface) => {
      const c = data.slice();
      for (let i = 14; i < c.length; i++) if (rnd() < 0.02) c[i] = Math.floor(rnd() * 256);
      dec.decode(c, lt, ts, ++n, wl, iface);
    });
    parser.push(readFileSync(join(PCAPS, f)));
    parser.end();
    assert.equal(dec.stats.dissectorErrors, 0, f + ' (corrupted)');
  }
  t.diagnostic(`${files.length} captures, ${frames} frames`);
});

test('TCP SYN signatures agree with tshark on TTL, window, MSS and window scale', (t) => {
  if (!ready()) return t.skip('corpus or tshark not present');
  let n = 0;
  for (const f of [
    'tls-sni__zeek__chrome-34-google.pcap',
    'http-ua__zeek__get.pcap',
    'ssh__ndpi__ssh.pcap',
    'multi-lan-mixed__ndpi__teams.pcap',
  ]) {
    const ts = tsharkFields(
      join(PCAPS, f),
      ['ip.ttl', 'tcp.window_size_value', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.flags.ack'],
      'a',
      'tcp.flags.syn==1 && ip',
    );
    const ours = new Map(
      runCapture(join(PCAPS, f))
        .obs.filter((o) => o.kind === 'fingerprint' && o.scheme.startsWith('tcp-'))
        .map((o) => [o.frame, o]),
    );
    for (const [frame, [ttl, win, mss, ws, ack]] of ts) {
      const o = ours.get(frame);
      assert.ok(o !== undefined && o.kind === 'fingerprint', `${f}#${frame}: no signature`);
      const v = o.value.split(':');
      const ittl = Number(ttl![0]);
      assert.ok(Number(v[1]) >= ittl && Number(v[1]) - ittl < 64, `${f}#${frame} ttl ${ittl} -> ${v[1]}`);
      assert.equal(v[4], win![0], `${f}#${frame} window`);
      assert.equal(v[3], mss![0] ?? '*', `${f}#${frame} mss`);
      assert.equal(v[5], ws![0] ?? '*', `${f}#${frame} wscale`);
      assert.equal(o.scheme, ack![0] === '1' || ack![0] === 'True' ? 'tcp-synack' : 'tcp-syn');
      n++;
    }
  }
  t.diagnostic(`${n} SYN/SYN-ACK signatures compared`);
  assert.ok(n > 4);
});

test('STP root and bridge ids, NTP mode and stratum agree with tshark', (t) => {
  if (!ready()) return t.skip('corpus or tshark not present');
  let n = 0;
  for (const f of [
    'stp-mstp__tcpdump__MSTP_Intra-Region_BPDUs.pcap',
    'stp-pvst__tcpdump__rpvstp-trunk-native-vid5.pcap',
    'enip-listidentity__icsnpp-enip__enip_cip_example.pcap',
  ]) {
    const ts = tsharkFields(join(PCAPS, f), ['stp.root.hw', 'stp.bridge.hw'], 'f', 'stp');
    const r = runCapture(join(PCAPS, f));
    for (const [frame, [root, bridge]] of ts) {
      if (r.repeatFrames.has(frame)) continue;
      const attrs = new Map(
        ofKind(
          r.obs.filter((o) => o.frame === frame),
          'attribute',
        ).map((o) => [o.key, o.value]),
      );
      if (root!.length) assert.equal(attrs.get('stp-root-id')?.split('/')[1], root![0], `${f}#${frame}`);
      if (bridge!.length)
        assert.equal(attrs.get('stp-bridge-id')?.split('/')[1], bridge![0], `${f}#${frame}`);
      n++;
    }
  }
  const modes = ['reserved', 'symmetric-active', 'symmetric-passive', 'client', 'server', 'broadcast'];
  for (const f of [
    'ics-iec61850__iti-ics__Sample_File_MMS_and_GOOSE.pcap',
    'iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap',
  ]) {
    const ts = tsharkFields(
      join(PCAPS, f),
      ['ntp.flags.mode', 'ntp.stratum'],
      'f',
      'ntp && ntp.flags.mode <= 5',
    );
    const r = runCapture(join(PCAPS, f));
    for (const [frame, [mode, stratum]] of ts) {
      if (r.repeatFrames.has(frame)) continue;
      const attrs = new Map(
        ofKind(
          r.obs.filter((o) => o.frame === frame),
          'attribute',
        ).map((o) => [o.key, o.value]),
      );
      assert.equal(attrs.get('ntp-mode'), modes[Number(mode![0])], `${f}#${frame}`);
      if (Number(mode![0]) >= 4) assert.equal(attrs.get('ntp-stratum'), stratum![0], `${f}#${frame}`);
      n++;
    }
  }
  t.diagnostic(`${n} STP/NTP frames compared`);
  assert.ok(n > 20);
});

test('TP-Link smart-home and WS-Discovery captures: every frame tshark sees is recognised', (t) => {
  if (!ready()) return t.skip('corpus or tshark not present');
  const tp = runCapture(join(PCAPS, 'iot-tplink-shp__ndpi__tplink_shp.pcap'));
  const tpT = tsharkFields(
    join(PCAPS, 'iot-tplink-shp__ndpi__tplink_shp.pcap'),
    ['ip.src'],
    'f',
    'tplink-smarthome',
  );
  assert.ok(tpT.size > 0);
  for (const [frame, [src]] of tpT) {
    assert.ok(tp.protoFrames.get('tplink-shp')?.has(frame), `tplink frame ${frame}`);
    if (tp.repeatFrames.has(frame)) continue; // the same request again: skipped by the pipeline
    const role = ofKind(
      tp.obs.filter((o) => o.frame === frame),
      'role',
    )[0];
    assert.equal(role?.device.ip, src![0]);
    assert.equal(role?.role, 'tplink-shp-client');
  }
  const wsd = runCapture(join(PCAPS, 'wsdiscovery__ndpi__upnp.pcap'));
  const wsdT = tsharkFields(
    join(PCAPS, 'wsdiscovery__ndpi__upnp.pcap'),
    ['udp.dstport'],
    'f',
    'udp.dstport==3702',
  );
  assert.ok(wsdT.size > 0);
  for (const [frame] of wsdT) assert.ok(wsd.protoFrames.get('wsd')?.has(frame), `wsd frame ${frame}`);
  // Those are Probes: the senders are searching clients, not devices with types.
  assert.ok(ofKind(wsd.obs, 'role').every((o) => o.role === 'wsd-client'));
});
