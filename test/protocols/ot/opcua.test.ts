import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, u16le, u32le, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  identity,
  roles,
  run,
  fromServer,
  toServer,
} from './helpers';
import { corpusFiles, runCapture } from './corpus';

const PORT = 4840;
const str = (s: string): Bytes => concat(u32le(Buffer.byteLength(s)), Uint8Array.from(Buffer.from(s)));
const chunk = (type: string, body: Bytes): Bytes =>
  concat(Uint8Array.from(Buffer.from(type + 'F')), u32le(8 + body.length), body);

function hello(url: string): Bytes {
  return chunk('HEL', concat(u32le(0), u32le(65536), u32le(65536), u32le(0), u32le(0), str(url)));
}

function appDescription(uri: string, product: string, name: string, type: number): Bytes {
  return concat(
    str(uri),
    str(product),
    [0x02],
    str(name),
    u32le(type),
    u32le(0xffffffff),
    u32le(0xffffffff),
    u32le(0),
  );
}

/** GetEndpointsResponse with one endpoint, security policy None. */
function getEndpointsResponse(): Bytes {
  const header = concat(new Uint8Array(8), u32le(1), u32le(0), [0x00], u32le(0), [0x00, 0x00, 0x00]);
  const ep = concat(
    str('opc.tcp://plc:4840'),
    appDescription('urn:acme:server', 'http://acme.example/ua', 'ACME UA Server', 0),
    u32le(0xffffffff),
    u32le(1),
    str('http://opcfoundation.org/UA/SecurityPolicy#None'),
    u32le(0),
    str('http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary'),
    [0],
  );
  const body = concat([0x01, 0x00], u16le(431), header, u32le(1), ep);
  return chunk('MSG', concat(u32le(1), u32le(1), u32le(2), u32le(2), body));
}

test('Hello endpoint URL, OPN policy, GetEndpoints application description', () => {
  const opn = chunk(
    'OPN',
    concat(
      u32le(0),
      str('http://opcfoundation.org/UA/SecurityPolicy#None'),
      u32le(0xffffffff),
      u32le(0xffffffff),
    ),
  );
  const r = run([
    toServer(PORT, hello('opc.tcp://plc:4840')),
    toServer(PORT, opn),
    fromServer(PORT, getEndpointsResponse()),
  ]);
  assert.deepEqual(attribute(r.obs, 'opcua.endpoint-url'), ['opc.tcp://plc:4840', 'opc.tcp://plc:4840']);
  assert.deepEqual(attribute(r.obs, 'opcua.security-policy'), [
    'http://opcfoundation.org/UA/SecurityPolicy#None',
  ]);
  assert.deepEqual(attribute(r.obs, 'opcua.application-uri'), ['urn:acme:server']);
  assert.deepEqual(attribute(r.obs, 'opcua.product-uri'), ['http://acme.example/ua']);
  assert.deepEqual(identity(r.obs, 'product'), ['ACME UA Server']);
  assert.ok(roles(r.obs).includes('opcua-client@10.0.0.1'));
  assert.ok(roles(r.obs).includes('opcua-server@10.0.0.2'));
});

test('OPC UA on another port is found by its Hello; other traffic on 4840 is not OPC UA', () => {
  const r = run([toServer(48010, hello('opc.tcp://x:48010'))]);
  assert.ok(r.protos.includes('opcua'));
  assertNotClaimed(toServer(PORT, HTTP_GET), 'opcua');
});

test('hostile OPC UA never throws', () => {
  assertSurvivesHostile(getEndpointsResponse(), (b) => fromServer(PORT, b));
  assertSurvivesHostile(hello('opc.tcp://h:1'), (b) => toServer(PORT, b));
});

const CORPUS = corpusFiles(['opcua']);

test('corpus: ground-truth endpoint URLs, application and product URIs', async (t) => {
  if (CORPUS.length === 0) return t.skip('corpus absent');
  const want: Record<string, { url: string[]; app: string[]; product: string[] }> = {
    'opcua-discovery__icsnpp-opcua__open62541_discover_getendpoints_discover_urls.pcap': {
      url: ['opc.tcp://Maui-16714:4840/'],
      app: [
        'urn:open62541.server.application',
        'urn:open62541.example.local_discovery_server',
        'urn:open62541.example.server_register',
      ],
      product: ['http://open62541.org'],
    },
    'opcua__icsnpp-opcua__open62541_client-server_mainloop.pcap': {
      url: ['opc.tcp://localhost:4840'],
      app: ['urn:open62541.server.application', 'urn:unconfigured:application'],
      product: ['http://open62541.org'],
    },
    'opcua__icsnpp-opcua__python_opcua-client-server_minimal.pcap': {
      url: ['opc.tcp://localhost:4840/freeopcua/server/', 'opc.tcp://127.0.0.1:4840/freeopcua/server/'],
      app: ['urn:freeopcua:client', 'urn:freeopcua:python:server'],
      product: ['urn:freeopcua.github.io:client', 'urn:freeopcua.github.io:python:server'],
    },
  };
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const w = want[file];
    if (w === undefined) continue;
    const urls = new Set(attribute(r.obs, 'opcua.endpoint-url'));
    const apps = new Set([
      ...attribute(r.obs, 'opcua.application-uri'),
      ...attribute(r.obs, 'opcua.registered-application'),
    ]);
    const products = new Set(attribute(r.obs, 'opcua.product-uri'));
    for (const u of w.url) assert.ok(urls.has(u), `${file}: ${u}`);
    for (const a of w.app) assert.ok(apps.has(a), `${file}: ${a}`);
    for (const p of w.product) assert.ok(products.has(p), `${file}: ${p}`);
  }
});
