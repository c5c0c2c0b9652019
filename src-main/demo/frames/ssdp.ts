/** SSDP (UPnP 1.0): a media renderer announcing itself on 239.255.255.250:1900. */
import { ascii, type Bytes } from '../bytes';

export function ssdpNotify(o: { location: string; server: string; nt: string; uuid: string }): Bytes {
  const usn = o.nt === `uuid:${o.uuid}` ? o.nt : `uuid:${o.uuid}::${o.nt}`;
  return ascii(
    'NOTIFY * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      'CACHE-CONTROL: max-age=1800\r\n' +
      `LOCATION: ${o.location}\r\n` +
      `NT: ${o.nt}\r\n` +
      'NTS: ssdp:alive\r\n' +
      `SERVER: ${o.server}\r\n` +
      `USN: ${usn}\r\n\r\n`,
  );
}

export function ssdpSearch(st: string): Bytes {
  return ascii(
    'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\n' +
      `ST: ${st}\r\n\r\n`,
  );
}
