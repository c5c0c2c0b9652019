import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { type End } from '../common/refs';

/**
 * OPC UA binary (OPC 10000-6 §7): HEL / ACK / OPN / MSG / CLO / ERR chunks. Extracted: the Hello
 * endpoint URL, the OpenSecureChannel security policy URI, and - when the channel is unencrypted
 * (policy None) - application descriptions from GetEndpoints, FindServers and CreateSession.
 */

const em = new Emitter<typeof VOCABULARY>('opcua');
const PORT = 4840;
const MAX_CHUNK = 1 << 24;
const MAX_ARRAY = 16;

/** Message types as 24-bit numbers, so the per-packet check (also a heuristic) allocates nothing. */
const TYPES = new Set(
  ['HEL', 'ACK', 'OPN', 'MSG', 'CLO', 'ERR', 'RHE'].map(
    (t) => (t.charCodeAt(0) << 16) | (t.charCodeAt(1) << 8) | t.charCodeAt(2),
  ),
);

/** Binary encoding ids of the service messages we read. */
const FIND_SERVERS_RESPONSE = 425;
const GET_ENDPOINTS_RESPONSE = 431;
const CREATE_SESSION_REQUEST = 461;
const CREATE_SESSION_RESPONSE = 464;
const REGISTER_SERVER_REQUEST = 437;
const REGISTER_SERVER2_REQUEST = 12211;

interface UaFlow {
  once: OnceSet;
}
const newFlow = (): UaFlow => ({ once: new OnceSet(64) });

function chunkType(w: ByteWindow, o: number): string {
  return String.fromCharCode(w.u8(o), w.u8(o + 1), w.u8(o + 2));
}

function validChunk(w: ByteWindow, o: number): boolean {
  if (!w.has(o, 8)) return false;
  if (!TYPES.has(w.u24(o))) return false;
  const c = w.u8(o + 3);
  if (c !== 0x46 && c !== 0x43 && c !== 0x41) return false; // F, C, A
  const size = w.u32le(o + 4);
  return size >= 8 && size <= MAX_CHUNK;
}

/** A bounded cursor over the UA binary encoding; any overrun sets `ok` false and reads return defaults. */
class Reader {
  ok = true;
  constructor(
    readonly w: ByteWindow,
    public o: number,
    readonly end: number,
  ) {}

  need(n: number): boolean {
    if (!this.ok || n < 0 || this.o + n > this.end) this.ok = false;
    return this.ok;
  }
  u8(): number {
    if (!this.need(1)) return 0;
    return this.w.u8(this.o++);
  }
  u32(): number {
    if (!this.need(4)) return 0;
    const v = this.w.u32le(this.o);
    this.o += 4;
    return v;
  }
  i32(): number {
    return this.u32() | 0;
  }
  skip(n: number): void {
    if (this.need(n)) this.o += n;
  }
  /** String / ByteString: Int32 length (-1 = null), then bytes. */
  str(max = 1024): string {
    const n = this.i32();
    if (n <= 0) return '';
    if (!this.need(n)) return '';
    const s = this.w.utf8(this.o, n, max);
    this.o += n;
    return s;
  }
  bytes(): void {
    const n = this.i32();
    if (n > 0) this.skip(n);
  }
  /** NodeId in any of its encodings; returns the numeric id (or -1 for string/guid/opaque ids). */
  nodeId(): number {
    const enc = this.u8() & 0x3f;
    switch (enc) {
      case 0:
        return this.u8();
      case 1: {
        this.skip(1);
        if (!this.need(2)) return -1;
        const v = this.w.u16le(this.o);
        this.o += 2;
        return v;
      }
      case 2:
        this.skip(2);
        return this.u32();
      case 3:
        this.skip(2);
        this.bytes();
        return -1;
      case 4:
        this.skip(2 + 16);
        return -1;
      case 5:
        this.skip(2);
        this.bytes();
        return -1;
      default:
        this.ok = false;
        return -1;
    }
  }
  extensionObject(): void {
    this.nodeId();
    const enc = this.u8();
    if (enc === 1 || enc === 2) this.bytes();
  }
  diagnosticInfo(depth = 0): void {
    const m = this.u8();
    if (m & 0x01) this.skip(4);
    if (m & 0x02) this.skip(4);
    if (m & 0x04) this.skip(4);
    if (m & 0x08) this.skip(4);
    if (m & 0x10) this.str();
    if (m & 0x20) this.skip(4);
    if (m & 0x40) {
      if (depth > 4) this.ok = false;
      else this.diagnosticInfo(depth + 1);
    }
  }
  localizedText(): string {
    const m = this.u8();
    if (m & 1) this.str();
    return m & 2 ? this.str() : '';
  }
  count(): number {
    const n = this.i32();
    return n < 0 ? 0 : n;
  }
  responseHeader(): number {
    this.skip(8 + 4);
    const status = this.u32();
    this.diagnosticInfo();
    const n = this.count();
    for (let i = 0; i < n && this.ok; i++) this.str();
    this.extensionObject();
    return status;
  }
  requestHeader(): void {
    this.nodeId();
    this.skip(8 + 4 + 4);
    this.str();
    this.skip(4);
    this.extensionObject();
  }
}

interface AppDescription {
  uri: string;
  product: string;
  name: string;
  type: number;
}

function appDescription(r: Reader): AppDescription {
  const uri = r.str();
  const product = r.str();
  const name = r.localizedText();
  const type = r.u32();
  r.str();
  r.str();
  const n = r.count();
  for (let i = 0; i < n && i < 64 && r.ok; i++) r.str();
  return { uri, product, name, type };
}

interface Endpoint {
  url: string;
  server: AppDescription;
  policy: string;
  mode: number;
}

function endpoint(r: Reader): Endpoint {
  const url = r.str();
  const server = appDescription(r);
  r.bytes(); // server certificate
  const mode = r.u32();
  const policy = r.str();
  const n = r.count();
  for (let i = 0; i < n && i < 64 && r.ok; i++) {
    r.str();
    r.u32();
    r.str();
    r.str();
    r.str();
  }
  r.str();
  r.u8();
  return { url, server, policy, mode };
}

const APP_TYPES = ['server', 'client', 'client-server', 'discovery-server'];

/** The messages an application description arrives in, the prefix of its fields. */
type AppIn = 'CreateSession' | 'CreateSession.clientDescription' | 'GetEndpoints' | 'RegisterServer';

function emitApp(ctx: AppContext, p: Packet, end: End, field: AppIn, a: AppDescription): void {
  if (a.uri === '' && a.product === '') return;
  em.attribute(ctx, p, { end, field: `${field}.applicationUri`, key: 'opcua.application-uri', value: a.uri });
  em.attribute(ctx, p, { end, field: `${field}.productUri`, key: 'opcua.product-uri', value: a.product });
  em.identity(ctx, p, { end, field: `${field}.applicationName`, attr: 'product', value: a.name });
  const t = APP_TYPES[a.type];
  if (t !== undefined)
    em.role(ctx, p, { end, field: `${field}.applicationType`, role: `opcua-${t}`, peer: null });
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'CreateSession.applicationName',
    'CreateSession.applicationType',
    'CreateSession.applicationUri',
    'CreateSession.clientDescription.applicationName',
    'CreateSession.clientDescription.applicationType',
    'CreateSession.clientDescription.applicationUri',
    'CreateSession.clientDescription.productUri',
    'CreateSession.productUri',
    'EndpointDescription.endpointUrl',
    'EndpointDescription.securityPolicyUri',
    'FindServers.servers',
    'GetEndpoints.applicationName',
    'GetEndpoints.applicationType',
    'GetEndpoints.applicationUri',
    'GetEndpoints.productUri',
    'Hello',
    'Hello.endpointUrl',
    'OpenSecureChannel.securityPolicyUri',
    'RegisterServer',
    'RegisterServer.applicationName',
    'RegisterServer.applicationType',
    'RegisterServer.applicationUri',
    'RegisterServer.productUri',
  ],
  keys: {
    attribute: [
      'opcua.application-uri',
      'opcua.endpoint-security-policy',
      'opcua.endpoint-url',
      'opcua.product-uri',
      'opcua.registered-application',
      'opcua.security-policy',
    ],
    identity: ['product'],
    role: ['opcua-*', 'opcua-client', 'opcua-client-server', 'opcua-discovery-server', 'opcua-server'],
    service: ['opcua'],
  },
} as const satisfies Vocabulary;

export const opcua: AppProtocol = {
  name: 'opcua',
  group: 'ot',
  emits: { opcua: VOCABULARY },
  tcpPorts: [PORT],

  heuristic(w: ByteWindow, p: Packet): boolean {
    if (p.ipProto !== 6 || !validChunk(w, 0)) return false;
    const t = chunkType(w, 0);
    // Only a connection's first messages are strong enough to pin a flow on another port.
    return (t === 'HEL' || t === 'ACK') && w.u32le(4) === w.length;
  },

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 6 || !validChunk(w, 0)) return false;
    const f = ctx.flowState(p, 'opcua', newFlow);
    let o = 0;
    for (let n = 0; n < 8 && validChunk(w, o); n++) {
      const size = w.u32le(o + 4);
      chunk(w, o, Math.min(o + size, w.length), p, ctx, f);
      o += size;
    }
    return true;
  },
};

function chunk(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext, f: UaFlow): void {
  const type = chunkType(w, o);
  const r = new Reader(w, o + 8, end);
  if (type === 'HEL') {
    r.skip(20);
    const url = r.str();
    if (f.once.first('hel')) {
      em.role(ctx, p, { end: 'src', field: 'Hello', role: 'opcua-client' });
      em.role(ctx, p, { end: 'dst', field: 'Hello', role: 'opcua-server' });
      em.service(ctx, p, { end: 'dst', field: 'Hello', transport: 'tcp', port: p.dstPort, name: 'opcua' });
      em.attribute(ctx, p, { end: 'dst', field: 'Hello.endpointUrl', key: 'opcua.endpoint-url', value: url });
    }
    return;
  }
  if (type === 'OPN') {
    r.skip(4);
    const policy = r.str();
    if (f.once.first('opn:' + p.srcPort))
      em.attribute(ctx, p, {
        end: 'src',
        field: 'OpenSecureChannel.securityPolicyUri',
        key: 'opcua.security-policy',
        value: policy,
      });
    return;
  }
  if (type !== 'MSG' || w.u8(o + 3) !== 0x46) return;
  // Secure channel id, token id, sequence number, request id; then the body, readable with policy None.
  r.skip(16);
  const typeId = r.nodeId();
  if (!r.ok) return;
  if (typeId === GET_ENDPOINTS_RESPONSE || typeId === CREATE_SESSION_RESPONSE) {
    if (r.responseHeader() !== 0) return;
    if (typeId === CREATE_SESSION_RESPONSE) {
      r.nodeId();
      r.nodeId();
      r.skip(8);
      r.bytes();
      r.bytes();
    }
    const n = r.count();
    const policies = new Set<string>();
    for (let i = 0; i < n && i < MAX_ARRAY && r.ok; i++) {
      const e = endpoint(r);
      if (!r.ok) break;
      if (i === 0) {
        emitApp(
          ctx,
          p,
          'src',
          typeId === GET_ENDPOINTS_RESPONSE ? 'GetEndpoints' : 'CreateSession',
          e.server,
        );
        em.attribute(ctx, p, {
          end: 'src',
          field: 'EndpointDescription.endpointUrl',
          key: 'opcua.endpoint-url',
          value: e.url,
        });
      }
      policies.add(e.policy);
    }
    for (const pol of policies)
      em.attribute(ctx, p, {
        end: 'src',
        field: 'EndpointDescription.securityPolicyUri',
        key: 'opcua.endpoint-security-policy',
        value: pol,
      });
  } else if (typeId === CREATE_SESSION_REQUEST) {
    r.requestHeader();
    const client = appDescription(r);
    if (r.ok) emitApp(ctx, p, 'src', 'CreateSession.clientDescription', client);
  } else if (typeId === REGISTER_SERVER_REQUEST || typeId === REGISTER_SERVER2_REQUEST) {
    // A server registering itself with a discovery server: RegisteredServer describes the sender.
    r.requestHeader();
    const uri = r.str();
    const product = r.str();
    const names = r.count();
    const name = names > 0 ? r.localizedText() : '';
    const type = r.u32();
    if (!r.ok) return;
    emitApp(ctx, p, 'src', 'RegisterServer', { uri, product, name, type });
    em.role(ctx, p, { end: 'dst', field: 'RegisterServer', role: 'opcua-discovery-server' });
  } else if (typeId === FIND_SERVERS_RESPONSE) {
    if (r.responseHeader() !== 0) return;
    const n = r.count();
    for (let i = 0; i < n && i < MAX_ARRAY && r.ok; i++) {
      const a = appDescription(r);
      if (r.ok && a.uri !== '')
        em.attribute(ctx, p, {
          end: 'src',
          field: 'FindServers.servers',
          key: 'opcua.registered-application',
          value: a.uri,
        });
    }
  }
}
