import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../../shared/model/observation';
import { ascii, tcpFrame, type Bytes } from '../../helpers/packets';
import { tsharkAvailable, tsharkFrames } from '../../helpers/tshark';
import {
  AUTH_NTLMSSP,
  AUTH_SPNEGO,
  PT_ALTER_CONTEXT,
  bindBody,
  coPdu,
  corpChallenge,
  ntlmBind,
  ldapMessage,
  ldapSaslBind,
  ldapSaslBindResponse,
  ntlmAuthenticate,
  ntlmNegotiate,
  spnegoInit,
  spnegoResp,
} from './ntlm-build';
import { decodeFrames } from './run';

/**
 * NTLMSSP outside SMB against tshark, frame by frame, on crafted frames (no corpus capture carries
 * NTLM in DCE/RPC over TCP, HTTP or LDAP): DCE/RPC bind / bind_ack / auth3 / alter_context on the
 * endpoint mapper's port and on a dynamic port, bare and SPNEGO; HTTP NTLM and Negotiate; LDAP SASL
 * GSS-SPNEGO binds. In every frame the values tshark shows must be exactly ours, and we must show
 * nothing where it shows none.
 */

const SRV = { mac: '02:00:00:00:02:35', ip: '10.0.4.35' };
const CLI = { mac: '02:00:00:00:02:10', ip: '10.0.4.10' };

function rpc(port: number, cport: number, spnego: boolean, host: string): Bytes[] {
  const c = { ...CLI, port: cport };
  const s = { ...SRV, port };
  const type = spnego ? AUTH_SPNEGO : AUTH_NTLMSSP;
  const wrap = (t: Bytes, first: boolean) => (spnego ? spnegoResp(t, first) : t);
  const auth = ntlmAuthenticate({ domain: 'CORP', user: 'svc-backup', host, build: 19045 });
  const h = ntlmBind(spnego, 19045, corpChallenge('DC01', 17763), auth);
  return [
    tcpFrame(c, s, h.bind),
    tcpFrame(s, c, h.ack),
    tcpFrame(c, s, h.auth3),
    tcpFrame(
      c,
      s,
      coPdu(
        PT_ALTER_CONTEXT,
        bindBody(),
        {
          type,
          value: wrap(ntlmAuthenticate({ domain: 'LAB', user: 'op', host: host + 'B', build: 26100 }), false),
        },
        2,
      ),
    ),
  ];
}

function http(cport: number, scheme: 'NTLM' | 'Negotiate'): Bytes[] {
  const c = { ...CLI, port: cport };
  const s = { ...SRV, port: 80 };
  const b64 = (b: Bytes) => Buffer.from(b).toString('base64');
  const spnego = scheme === 'Negotiate';
  const auth = ntlmAuthenticate({ domain: 'CORP', user: 'bob', host: 'LAPTOP-' + cport, build: 22631 });
  const t1 = spnego ? spnegoInit(ntlmNegotiate(22631)) : ntlmNegotiate(22631);
  const t2 = spnego ? spnegoResp(corpChallenge('WEB01', 20348), true) : corpChallenge('WEB01', 20348);
  const t3 = spnego ? spnegoResp(auth, false) : auth;
  return [
    tcpFrame(c, s, ascii(`GET / HTTP/1.1\r\nHost: web01\r\nAuthorization: ${scheme} ${b64(t1)}\r\n\r\n`)),
    tcpFrame(
      s,
      c,
      ascii(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${scheme} ${b64(t2)}\r\nContent-Length: 0\r\n\r\n`,
      ),
    ),
    tcpFrame(c, s, ascii(`GET / HTTP/1.1\r\nHost: web01\r\nAuthorization: ${scheme} ${b64(t3)}\r\n\r\n`)),
  ];
}

function ldap(cport: number): Bytes[] {
  const c = { ...CLI, port: cport };
  const s = { ...SRV, port: 389 };
  const auth = ntlmAuthenticate({ domain: 'CORP', user: 'reader', host: 'APP-' + cport, build: 17763 });
  return [
    tcpFrame(c, s, ldapMessage(1, ldapSaslBind('GSS-SPNEGO', spnegoInit(ntlmNegotiate(17763))))),
    tcpFrame(s, c, ldapMessage(1, ldapSaslBindResponse(spnegoResp(corpChallenge('DC02', 20348), true)))),
    tcpFrame(c, s, ldapMessage(2, ldapSaslBind('GSS-SPNEGO', spnegoResp(auth, false)))),
  ];
}

const FRAMES = [
  ...rpc(135, 54001, false, 'WS01'),
  ...rpc(135, 54002, true, 'WS02'),
  ...rpc(49667, 54003, true, 'WS03'),
  ...http(54004, 'NTLM'),
  ...http(54005, 'Negotiate'),
  ...ldap(54006),
];

const nul = (v: string[]) => v.filter((x) => x !== 'NULL' && x !== '');
const value = (o: Observation) =>
  o.kind === 'hostname' ? o.name : o.kind === 'identity' || o.kind === 'attribute' ? o.value : null;

const CHECKS: { field: string; ours: string; theirs?: (v: string[]) => string[] }[] = [
  { field: 'ntlmssp.auth.hostname', ours: 'ntlmssp.auth.workstation', theirs: nul },
  { field: 'ntlmssp.auth.domain', ours: 'ntlmssp.auth.domain', theirs: nul },
  { field: 'ntlmssp.auth.username', ours: 'ntlmssp.auth.user', theirs: nul },
  { field: 'ntlmssp.challenge.target_info.nb_computer_name', ours: 'ntlmssp.challenge.nbComputerName' },
  { field: 'ntlmssp.challenge.target_info.nb_domain_name', ours: 'ntlmssp.challenge.nbDomainName' },
  { field: 'ntlmssp.challenge.target_info.dns_computer_name', ours: 'ntlmssp.challenge.dnsComputerName' },
  { field: 'ntlmssp.challenge.target_info.dns_domain_name', ours: 'ntlmssp.challenge.dnsDomainName' },
  // Ours: the build is the third part of "major.minor.build" from whichever message carried it.
  { field: 'ntlmssp.version.build_number', ours: 'version' },
];

test('tshark agreement: NTLMSSP in DCE/RPC, HTTP and LDAP, frame by frame', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const fields = ['frame.protocols', ...CHECKS.map((c) => c.field)];
  const rows = tsharkFrames(FRAMES, fields, 'a', { decodeAs: ['tcp.port==49667,dcerpc'] });
  const { obs, errors } = decodeFrames(FRAMES);
  assert.equal(errors, 0);
  let compared = 0;
  const carriers = new Set<string>();
  for (let n = 1; n <= FRAMES.length; n++) {
    const row = rows.get(n) ?? [];
    const protos = (row[0] ?? []).join(':').split(':');
    for (const [i, c] of CHECKS.entries()) {
      const raw = row[i + 1] ?? [];
      const theirs = [...new Set(c.theirs ? c.theirs(raw) : raw)].sort();
      const ours = [
        ...new Set(
          obs
            .filter((o) => o.frame === n)
            .flatMap((o) => {
              const v = value(o);
              if (v === null) return [];
              if (c.ours === 'version')
                return o.kind === 'identity' && o.attr === 'os-version' && o.field.startsWith('ntlmssp.')
                  ? [v.split('.')[2]!]
                  : [];
              return o.field === c.ours ? [v] : [];
            }),
        ),
      ].sort();
      assert.deepEqual(ours, theirs, `${c.field} in frame ${n}`);
      if (theirs.length > 0) {
        compared++;
        carriers.add(['dcerpc', 'http', 'ldap'].find((x) => protos.includes(x)) ?? '?');
      }
    }
  }
  // Every frame carries NTLMSSP, and tshark read it in both carriers.
  assert.deepEqual([...carriers].sort(), ['dcerpc', 'http', 'ldap']);
  assert.ok(compared >= FRAMES.length, `${compared} values compared`);
  t.diagnostic(`${compared} NTLMSSP values agree with tshark on ${FRAMES.length} crafted frames`);
});
