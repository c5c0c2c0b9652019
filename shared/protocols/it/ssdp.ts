import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { base, srcRef } from './refs';
import { cleanText, parseHeaderBlock, productVersion, startsWith } from './text';

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
  const h = parseHeaderBlock(w, 8192, WANTED);
  const me = srcRef(p);
  const get = (n: string) => {
    const v = h.headers.get(n);
    return v === undefined ? '' : cleanText(v);
  };
  if (search) {
    ctx.emit({ kind: 'role', role: 'ssdp-client', peer: null, ...base(p, me, 'ssdp', 'M-SEARCH') });
    const ua = get('user-agent');
    if (ua !== '')
      ctx.emit({ kind: 'software', ...productVersion(ua), raw: ua, ...base(p, me, 'ssdp', 'USER-AGENT') });
    const st = get('st');
    if (st !== '')
      ctx.emit({ kind: 'attribute', key: 'search-target', value: st, ...base(p, me, 'ssdp', 'M-SEARCH.ST') });
    return true;
  }
  const what = notify ? 'NOTIFY' : 'response';
  ctx.emit({ kind: 'role', role: 'upnp-device', peer: null, ...base(p, me, 'ssdp', what) });
  const server = get('server');
  if (server !== '')
    ctx.emit({ kind: 'software', ...productVersion(server), raw: server, ...base(p, me, 'ssdp', 'SERVER') });
  const nt = get(notify ? 'nt' : 'st');
  if (nt !== '')
    ctx.emit({
      kind: 'attribute',
      key: 'upnp-type',
      value: nt,
      ...base(p, me, 'ssdp', notify ? 'NT' : 'ST'),
    });
  const usn = get('usn');
  const uuid = uuidOf(usn);
  if (uuid !== null) ctx.emit({ kind: 'identity', attr: 'uuid', value: uuid, ...base(p, me, 'ssdp', 'USN') });
  const loc = get('location');
  if (loc !== '')
    ctx.emit({ kind: 'attribute', key: 'location-url', value: loc, ...base(p, me, 'ssdp', 'LOCATION') });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY: Vocabulary = {
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
};

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
