import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { srcRef } from '../common/refs';
import { parseHeaderBlock, productVersion, startsWith } from './text';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('ssdp');

/**
 * SSDP (UPnP discovery, udp 1900): NOTIFY announcements and M-SEARCH responses describe the
 * sender (SERVER, NT/ST, USN, LOCATION: the description URL is reported, never fetched); M-SEARCH
 * requests carry the searching client's User-Agent.
 */
function uuidOf(usn: string): string | null {
  const m = /uuid:([0-9a-z-]{8,64})/i.exec(usn);
  return m === null ? null : m[1]!.toLowerCase();
}

/** The headers read below: no strings are made of the others. */
const WANTED = ['user-agent', 'st', 'server', 'nt', 'usn', 'location'];

export function dissectSsdp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const notify = startsWith(w, 'NOTIFY ');
  const search = startsWith(w, 'M-SEARCH ');
  const response = startsWith(w, 'HTTP/1.');
  if (!notify && !search && !response) return false;
  const h = parseHeaderBlock(w, 8192, WANTED, false);
  const me = srcRef(p);
  const get = (n: string) => {
    const v = h.headers.get(n);
    return v === undefined ? '' : cleanText(v);
  };
  if (search) {
    em.role(ctx, p, { device: me, field: 'M-SEARCH', role: 'ssdp-client', peer: null });
    const ua = get('user-agent');
    if (ua !== '') em.software(ctx, p, { device: me, field: 'USER-AGENT', ...productVersion(ua), raw: ua });
    const st = get('st');
    if (st !== '')
      em.attribute(ctx, p, { device: me, field: 'M-SEARCH.ST', key: 'search-target', value: st });
    return true;
  }
  const what = notify ? 'NOTIFY' : 'response';
  em.role(ctx, p, { device: me, field: what, role: 'upnp-device', peer: null });
  const server = get('server');
  if (server !== '')
    em.software(ctx, p, { device: me, field: 'SERVER', ...productVersion(server), raw: server });
  const nt = get(notify ? 'nt' : 'st');
  if (nt !== '')
    em.attribute(ctx, p, { device: me, field: notify ? 'NT' : 'ST', key: 'upnp-type', value: nt });
  const usn = get('usn');
  const uuid = uuidOf(usn);
  if (uuid !== null) em.identity(ctx, p, { device: me, field: 'USN', attr: 'uuid', value: uuid });
  const loc = get('location');
  if (loc !== '') em.attribute(ctx, p, { device: me, field: 'LOCATION', key: 'location-url', value: loc });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'LOCATION',
    'M-SEARCH',
    'M-SEARCH.ST',
    'NOTIFY',
    'NT',
    'SERVER',
    'ST',
    'USER-AGENT',
    'USN',
    'response',
  ],
  keys: {
    attribute: ['location-url', 'search-target', 'upnp-type'],
    identity: ['uuid'],
    role: ['ssdp-client', 'upnp-device'],
  },
} as const satisfies Vocabulary;

export const ssdp: AppProtocol = {
  name: 'ssdp',
  group: 'it',
  emits: { ssdp: VOCABULARY },
  udpPorts: [1900],
  // Responses to M-SEARCH come from 1900 to the searcher's port, but some stacks answer from another port.
  heuristic: (w, p) =>
    p.ipProto === 17 &&
    (startsWith(w, 'NOTIFY * HTTP/1.') ||
      startsWith(w, 'M-SEARCH * HTTP/1.') ||
      startsWith(w, 'HTTP/1.1 200 OK\r\n')),
  dissect: dissectSsdp,
};
