import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, compileRules, factsFromCase } from '../../shared/classify';
import { generalizes } from '../../shared/classify/combine';
import { parseNativeOs, windowsFromVersion, windowsName } from '../../shared/classify/windows';
import { loadRules } from '../../src-main/classify/load';

test('NTLM versions name the release by build; the product type picks client or server where they share it', () => {
  const cases: [string, string | null, string | null][] = [
    ['5.0.2195', null, 'Windows 2000, NT 5.0.2195'],
    ['5.0.2195', 'server', 'Windows 2000 Server, NT 5.0.2195'],
    ['5.1.2600', null, 'Windows XP, NT 5.1.2600'],
    ['5.2.3790', null, 'Windows Server 2003, NT 5.2.3790'],
    ['5.2.3790', 'client', 'Windows XP Professional x64, NT 5.2.3790'],
    ['6.0.6001', null, 'Windows Vista SP1 / Server 2008, NT 6.0.6001'],
    ['6.0.6002', 'server', 'Windows Server 2008 SP2, NT 6.0.6002'],
    ['6.0.5231', null, 'Windows Vista / Server 2008, NT 6.0.5231'],
    ['6.1.7600', null, 'Windows 7 / Server 2008 R2, NT 6.1.7600'],
    ['6.1.7601', null, 'Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601'],
    ['6.1.7601', 'client', 'Windows 7 SP1, NT 6.1.7601'],
    ['6.1.7601', 'server', 'Windows Server 2008 R2 SP1, NT 6.1.7601'],
    ['6.2.9200', null, 'Windows 8 / Server 2012, NT 6.2.9200'],
    ['6.3.9600', 'server', 'Windows Server 2012 R2, NT 6.3.9600'],
    ['10.0.10240', null, 'Windows 10 1507, NT 10.0.10240'],
    ['10.0.14393', null, 'Windows 10 1607 / Server 2016, NT 10.0.14393'],
    ['10.0.14393', 'server', 'Windows Server 2016, NT 10.0.14393'],
    ['10.0.14393', 'client', 'Windows 10 1607, NT 10.0.14393'],
    ['10.0.17763', 'server', 'Windows Server 2019, NT 10.0.17763'],
    ['10.0.19045', null, 'Windows 10 22H2, NT 10.0.19045'],
    ['10.0.20348', null, 'Windows Server 2022, NT 10.0.20348'],
    ['10.0.22621', null, 'Windows 11 22H2, NT 10.0.22621'],
    ['10.0.26100', null, 'Windows 11 24H2 / Server 2025, NT 10.0.26100'],
    ['10.0.26100', 'server', 'Windows Server 2025, NT 10.0.26100'],
    // Builds without a release of their own: the family by build range.
    ['10.0.19999', null, 'Windows 10, NT 10.0.19999'],
    ['10.0.27000', null, 'Windows 11, NT 10.0.27000'],
    ['10.0.27000', 'server', 'Windows Server, NT 10.0.27000'],
    // Not Windows releases.
    ['10.0.1', null, null],
    ['9.9.1234', null, null],
    ['6.4.1', null, null],
    ['', null, null],
    ['6.1', null, 'Windows 7 / Server 2008 R2, NT 6.1'],
  ];
  for (const [v, p, want] of cases)
    assert.equal(windowsFromVersion(v, p as 'client' | 'server' | null), want, `${v} ${p}`);
});

test('SMB Native OS strings get the names people use; Samba and unknown strings are not renamed', () => {
  const cases: [string, string | null][] = [
    ['Windows 5.1', 'Windows XP, NT 5.1'],
    ['Windows 5.0', 'Windows 2000, NT 5.0'],
    ['Windows 2002 Service Pack 3 2600', 'Windows XP SP3, NT 5.1.2600'],
    ['Windows 2002 2600', 'Windows XP, NT 5.1.2600'],
    ['Windows Server 2003 3790 Service Pack 2', 'Windows Server 2003 SP2, NT 5.2.3790'],
    ['Windows Server 2003 R2 3790 Service Pack 2', 'Windows Server 2003 R2 SP2, NT 5.2.3790'],
    ['Windows 7 Professional 7601 Service Pack 1', 'Windows 7 Professional SP1, NT 6.1.7601'],
    [
      'Windows Server 2008 R2 Enterprise 7601 Service Pack 1',
      'Windows Server 2008 R2 Enterprise SP1, NT 6.1.7601',
    ],
    ['Windows 8.1 9600', 'Windows 8.1, NT 6.3.9600'],
    ['Windows 10 Pro 10586', 'Windows 10 Pro 1511, NT 10.0.10586'],
    ['Windows Server 2016 Standard 14393', 'Windows Server 2016 Standard, NT 10.0.14393'],
    ['  Windows  2002   Service Pack 2 2600 ', 'Windows XP SP2, NT 5.1.2600'],
    ['Unix', null],
    ['Samba 4.9.5-Debian', null],
    ['Mac OS X 10.10', null],
    ['Windows (TM) Code Name "Longhorn" Ultimate 5231', null],
    ['Windows 9.9', null],
    ['Windows Foo 1234', null],
    ['Windows', null],
  ];
  for (const [s, want] of cases) assert.equal(windowsName('|' + s), want, s);
  assert.equal(parseNativeOs('Windows Server 2003 3790 Service Pack 2')?.product, 'server');
  assert.equal(parseNativeOs('Windows 2002 Service Pack 3 2600')?.product, 'client');
});

test('NTLM and Native OS together: the NTLM build wins; the Native OS adds what agrees with it', () => {
  // Same build: edition and service pack from the Native OS.
  assert.equal(windowsName('5.1.2600|Windows 2002 Service Pack 3 2600'), 'Windows XP SP3, NT 5.1.2600');
  assert.equal(
    windowsName('5.2.3790|Windows Server 2003 R2 3790 Service Pack 2'),
    'Windows Server 2003 R2 SP2, NT 5.2.3790',
  );
  // Same NT version, other build: the release from NTLM, the product type from the Native OS.
  assert.equal(windowsName('6.1.7601|Windows 7 Ultimate 7600'), 'Windows 7 SP1, NT 6.1.7601');
  assert.equal(windowsName('5.1.2600|Windows 5.1'), 'Windows XP, NT 5.1.2600');
  // Disagreeing versions, or a Native OS we cannot read: NTLM alone.
  assert.equal(
    windowsName('6.1.7601|Windows 2002 Service Pack 3 2600'),
    'Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601',
  );
  assert.equal(
    windowsName('6.0.5231|Windows (TM) Code Name "Longhorn" Ultimate 5231'),
    'Windows Vista / Server 2008, NT 6.0.5231',
  );
  assert.equal(windowsName('9.9.1|Windows 5.1'), null);
  // The product type from another signal (browser announcement flags).
  assert.equal(windowsName('10.0.17763|server'), 'Windows Server 2019, NT 10.0.17763');
  assert.equal(windowsName('10.0.17763|client'), 'Windows 10 1809, NT 10.0.17763');
  assert.equal(windowsName('|server'), null);
  assert.equal(windowsName(''), null);
  assert.equal(windowsName('|'), null);
});

test('hostile input: long, odd or binary strings never throw and never name a release', () => {
  const odd = [
    'Windows ' + '9'.repeat(100_000),
    'Windows ' + 'a '.repeat(50_000) + '2600',
    '\u0000\uffff|\ud800',
    '|'.repeat(1000),
    '5.1.99999999|' + 'Windows '.repeat(1000),
  ];
  for (const s of odd) {
    const t0 = performance.now();
    const v = windowsName(s);
    assert.ok(performance.now() - t0 < 200, `slow on ${s.slice(0, 20)}`);
    assert.ok(v === null || v.length < 200, s.slice(0, 20));
  }
  assert.equal(windowsName('Windows ' + '9'.repeat(100_000)), null);
});

test('a family name with the NT version generalizes the build-precise name', () => {
  assert.ok(generalizes('os', 'windows xp, nt 5.1', 'windows xp sp3, nt 5.1.2600'));
  assert.ok(generalizes('os', 'windows 7 / server 2008 r2, nt 6.1', 'windows 7 sp1, nt 6.1.7601'));
  assert.ok(!generalizes('os', 'windows xp, nt 5.1.2600', 'windows xp sp3, nt 5.1.2600'));
  assert.ok(!generalizes('os', 'windows 7, nt 6.1', 'windows 8, nt 6.10.1'));
  assert.ok(!generalizes('model', 'x, nt 5.1', 'y, nt 5.1.2600'));
});

test('with all rules: NTLM beats the raw SMB string, Samba stays Samba, a browser version backs the build', () => {
  const rules = loadRules();
  const os = (facts: Record<string, string | string[]>) => classify(factsFromCase({ facts }), rules).os;
  const ntlm = 'identity/smb/ntlmssp.auth.version/os-version';
  const native = 'identity/smb/SessionSetup.NativeOS/os';

  const xp = os({ [ntlm]: '5.1.2600', [native]: 'Windows 2002 Service Pack 3 2600' });
  assert.equal(xp.value, 'Windows XP SP3, NT 5.1.2600');
  // The raw string is evidence, not the answer.
  assert.ok(xp.evidence.some((e) => e.value === 'Windows 2002 Service Pack 3 2600'));

  const w7 = os({ [ntlm]: '6.1.7601', [native]: 'Windows 2002 Service Pack 3 2600' });
  assert.equal(w7.value, 'Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601');
  assert.ok(w7.alternatives.some((a) => a.value === 'Windows XP SP3, NT 5.1.2600'));

  assert.equal(os({ [native]: 'Windows 2002 Service Pack 3 2600' }).value, 'Windows XP SP3, NT 5.1.2600');
  assert.equal(os({ [ntlm]: '6.1.7601' }).value, 'Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601');

  // Samba: the Native OS "Unix" and the LAN Manager "Samba x" are not renamed as Windows.
  const samba = classify(
    factsFromCase({
      facts: {
        [ntlm]: '6.1.0',
        [native]: 'Unix',
        'software/smb/SessionSetup.NativeLanMan/Samba': 'Samba 4.9.5-Debian',
      },
    }),
    rules,
  ).os;
  assert.ok(!/Windows/.test(samba.value ?? ''), samba.value ?? 'null');
  assert.ok(![samba.value, ...samba.alternatives.map((a) => a.value)].some((v) => /Windows/.test(v ?? '')));

  // Browser announcement flags tell a Windows server from a workstation where the build is shared.
  // The dissector states each SV_TYPE bit: workstation, server, nt-workstation (0x1000), nt-server (0x8000).
  const flags = 'attribute/browser/HostAnnouncement.serverType/server-type-bit';
  const srv = os({ [ntlm]: '10.0.14393', [flags]: ['0x00000001', '0x00000002', '0x00001000', '0x00008000'] });
  assert.equal(srv.value, 'Windows Server 2016, NT 10.0.14393');
  assert.deepEqual(srv.alternatives, []);
  assert.equal(
    os({ [ntlm]: '6.1.7601', [flags]: ['0x00000001', '0x00000002', '0x00001000'] }).value,
    'Windows 7 SP1, NT 6.1.7601',
  );

  // A browser announcement's "6.1" agrees with NTLM's 7601 rather than conflicting with it.
  const b = os({ [ntlm]: '6.1.7601', 'identity/browser/HostAnnouncement.osVersion/os-version': '6.1' });
  assert.equal(b.value, 'Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601');
  assert.deepEqual(b.alternatives, []);
});

test('a yield may name a lookup table; an unknown table is a schema error', () => {
  const rule = (y: object) => [
    {
      family: 'w',
      description: 'd',
      rules: [
        {
          id: 'w.v',
          description: 'd',
          source: 's',
          confidence: 0.9,
          match: { fact: { kind: 'identity', key: 'os-version', value: { regex: '^(?<v>.+)$' } } },
          yield: { os: y },
          tests: {
            fire: [{ facts: { 'identity/smb/x/os-version': '10.0.19045' } }],
            miss: [{ facts: { 'identity/smb/x/domain': 'x' } }],
          },
        },
      ],
    },
  ];
  const ok = compileRules(rule({ value: '${v}|', lookup: 'windows' }));
  assert.deepEqual(ok.errors, []);
  const c = (v: string) =>
    classify(factsFromCase({ facts: { 'identity/smb/x/os-version': v } }), ok.rules).os;
  assert.equal(c('10.0.19045').value, 'Windows 10 22H2, NT 10.0.19045');
  assert.equal(c('8.8.8').value, null); // the table does not know it: nothing yielded
  // A table that does not exist, or an object form saying nothing more than the bare string.
  assert.match(
    compileRules(rule({ value: '${v}', lookup: 'linux' })).errors.join('\n'),
    /rule w\.v .*yield\.os/,
  );
  assert.match(compileRules(rule({ value: '${v}' })).errors.join('\n'), /rule w\.v .*yield\.os/);
});
