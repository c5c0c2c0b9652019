/** A capture whose host names and HTTP headers are markup: DHCP option 12 and an HTTP User-Agent. */
import { ascii, concat, ip4, mac, tcpFrame, u16, u32, udpFrame } from '../../helpers/packets';
import { writePcap } from '../../helpers/pcap-writer';

export const HOSTILE_NAMES = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>'];
export const HOSTILE_AGENT = '<svg onload=alert(3)>"\'&';

/** A DHCP request (renewal, so the client's IP is known) carrying `hostname` in option 12. */
function dhcpRequest(clientMac: string, clientIp: string, hostname: string): Uint8Array {
  const name = ascii(hostname);
  const bootp = concat(
    [1, 1, 6, 0],
    u32(0x3903f326),
    u16(0),
    u16(0),
    ip4(clientIp), // ciaddr
    ip4('0.0.0.0'),
    ip4('0.0.0.0'),
    ip4('0.0.0.0'),
    mac(clientMac),
    new Array(10).fill(0),
    new Array(64).fill(0),
    new Array(128).fill(0),
    [99, 130, 83, 99],
    [53, 1, 3],
    [12, name.length],
    name,
    [255],
  );
  return udpFrame(
    { mac: clientMac, ip: clientIp, port: 68 },
    { mac: '02:00:00:00:00:01', ip: '192.168.77.1', port: 67 },
    bootp,
  );
}

export function writeHostilePcap(path: string): string {
  const server = { mac: '02:00:00:00:00:01', ip: '192.168.77.1', port: 80 };
  const client = { mac: '02:00:00:00:00:31', ip: '192.168.77.31', port: 49152 };
  const http = ascii(`GET / HTTP/1.1\r\nHost: ${HOSTILE_NAMES[0]}\r\nUser-Agent: ${HOSTILE_AGENT}\r\n\r\n`);
  return writePcap(path, 1, [
    { data: dhcpRequest('02:00:00:00:00:11', '192.168.77.11', HOSTILE_NAMES[0]!) },
    { data: dhcpRequest('02:00:00:00:00:12', '192.168.77.12', HOSTILE_NAMES[1]!) },
    { data: tcpFrame(client, server, new Uint8Array(0), { flags: 0x02 }) },
    { data: tcpFrame(server, client, new Uint8Array(0), { flags: 0x12 }) },
    { data: tcpFrame(client, server, http, { flags: 0x18 }) },
  ]);
}
