// informed-by: none
/**
 * Windows release names from what the wire says: the NTLMSSP VERSION (major.minor.build, MS-NLMP
 * 2.2.2.10) and SMB1's Native OS string ("Windows 2002 Service Pack 3 2600"). Version and build
 * numbers of Windows releases are public Microsoft facts (the release-information pages of each
 * release); the names are the ones people use ("Windows XP SP3", "Windows Server 2019").
 * Output: "<name>, NT <major>.<minor>[.<build>]", so that a build-precise name refines a family one.
 */

export type WindowsProduct = 'client' | 'server';

interface Release {
  build: number;
  client?: string;
  server?: string;
}

interface Family {
  version: string;
  client?: string;
  server?: string;
  /** Name when the product type is unknown (the two share the version). */
  either: string;
  /** Builds this family can have; others are not Windows releases of it. */
  builds: [number, number];
  releases: Release[];
}

const WIN10 = 'Windows 10';
// NT 5.x and 6.x: any build (pre-release builds were handed out); 10.0: 10240 (1507) onwards.
const ANY: [number, number] = [0, 65535];
const WIN11 = 'Windows 11';

const FAMILIES: readonly Family[] = [
  {
    version: '5.0',
    client: 'Windows 2000 Professional',
    server: 'Windows 2000 Server',
    either: 'Windows 2000',
    builds: ANY,
    releases: [],
  },
  { version: '5.1', client: 'Windows XP', either: 'Windows XP', builds: ANY, releases: [] },
  {
    // 5.2.3790 is Server 2003 (and R2) and the rare XP Professional x64.
    version: '5.2',
    client: 'Windows XP Professional x64',
    server: 'Windows Server 2003',
    either: 'Windows Server 2003',
    builds: ANY,
    releases: [],
  },
  {
    version: '6.0',
    client: 'Windows Vista',
    server: 'Windows Server 2008',
    either: 'Windows Vista / Server 2008',
    builds: ANY,
    releases: [
      { build: 6000, client: 'Windows Vista' },
      { build: 6001, client: 'Windows Vista SP1', server: 'Windows Server 2008' },
      { build: 6002, client: 'Windows Vista SP2', server: 'Windows Server 2008 SP2' },
      { build: 6003, server: 'Windows Server 2008 SP2' },
    ],
  },
  {
    version: '6.1',
    client: 'Windows 7',
    server: 'Windows Server 2008 R2',
    either: 'Windows 7 / Server 2008 R2',
    builds: ANY,
    releases: [
      { build: 7600, client: 'Windows 7', server: 'Windows Server 2008 R2' },
      { build: 7601, client: 'Windows 7 SP1', server: 'Windows Server 2008 R2 SP1' },
    ],
  },
  {
    version: '6.2',
    client: 'Windows 8',
    server: 'Windows Server 2012',
    either: 'Windows 8 / Server 2012',
    builds: ANY,
    releases: [],
  },
  {
    version: '6.3',
    client: 'Windows 8.1',
    server: 'Windows Server 2012 R2',
    either: 'Windows 8.1 / Server 2012 R2',
    builds: ANY,
    releases: [],
  },
  {
    // Client names by build below: 10 up to 21xxx, 11 from 22000.
    version: '10.0',
    server: 'Windows Server',
    either: WIN10,
    builds: [10000, 29999],
    releases: [
      { build: 10240, client: `${WIN10} 1507` },
      { build: 10586, client: `${WIN10} 1511` },
      { build: 14393, client: `${WIN10} 1607`, server: 'Windows Server 2016' },
      { build: 15063, client: `${WIN10} 1703` },
      { build: 16299, client: `${WIN10} 1709` },
      { build: 17134, client: `${WIN10} 1803` },
      { build: 17763, client: `${WIN10} 1809`, server: 'Windows Server 2019' },
      { build: 18362, client: `${WIN10} 1903` },
      { build: 18363, client: `${WIN10} 1909` },
      { build: 19041, client: `${WIN10} 2004` },
      { build: 19042, client: `${WIN10} 20H2` },
      { build: 19043, client: `${WIN10} 21H1` },
      { build: 19044, client: `${WIN10} 21H2` },
      { build: 19045, client: `${WIN10} 22H2` },
      { build: 20348, server: 'Windows Server 2022' },
      { build: 22000, client: `${WIN11} 21H2` },
      { build: 22621, client: `${WIN11} 22H2` },
      { build: 22631, client: `${WIN11} 23H2` },
      { build: 26100, client: `${WIN11} 24H2`, server: 'Windows Server 2025' },
      { build: 26200, client: `${WIN11} 25H2` },
    ],
  },
];

const byVersion = new Map(FAMILIES.map((f) => [f.version, f]));

/** "Windows 7 SP1" + "Windows Server 2008 R2 SP1" -> "Windows 7 SP1 / Server 2008 R2 SP1". */
const both = (client: string, server: string) => `${client} / ${server.replace(/^Windows /, '')}`;

function releaseName(f: Family, build: number, product: WindowsProduct | null): string {
  const r = f.releases.find((x) => x.build === build);
  const client =
    r?.client ?? f.client ?? (f.version === '10.0' ? (build >= 22000 ? WIN11 : WIN10) : undefined);
  const server = r?.server ?? f.server;
  if (product === 'client' && client !== undefined) return client;
  if (product === 'server' && server !== undefined) return server;
  if (r?.client !== undefined && r.server !== undefined) return both(r.client, r.server);
  if (r !== undefined) return (r.client ?? r.server)!;
  if (f.version === '10.0') return client!;
  return f.either;
}

interface NtVersion {
  family: Family;
  build: number | null;
}

function parseVersion(v: string): NtVersion | null {
  const m = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,5}))?$/.exec(v.trim());
  if (m === null) return null;
  const family = byVersion.get(`${Number(m[1])}.${Number(m[2])}`);
  if (family === undefined) return null;
  const build = m[3] === undefined ? null : Number(m[3]);
  if (build !== null && (build < family.builds[0] || build > family.builds[1])) return null;
  return { family, build };
}

const nt = (n: NtVersion) => `NT ${n.family.version}${n.build === null ? '' : '.' + n.build}`;

/** NTLMSSP version "6.1.7601" -> "Windows 7 SP1 / Server 2008 R2 SP1, NT 6.1.7601"; null if not Windows. */
export function windowsFromVersion(version: string, product: WindowsProduct | null = null): string | null {
  const n = parseVersion(version);
  if (n === null) return null;
  const name = n.build === null ? productName(n.family, product) : releaseName(n.family, n.build, product);
  return `${name}, ${nt(n)}`;
}

function productName(f: Family, product: WindowsProduct | null): string {
  if (product === 'client' && f.client !== undefined) return f.client;
  if (product === 'server' && f.server !== undefined) return f.server;
  return f.either;
}

/** The NT family of a release build (builds do not repeat across NT versions). */
function familyOfBuild(build: number): Family | null {
  for (const f of FAMILIES) if (f.releases.some((r) => r.build === build)) return f;
  const exact: Record<number, string> = { 2195: '5.0', 2600: '5.1', 3790: '5.2', 9200: '6.2', 9600: '6.3' };
  const v = exact[build] ?? (build >= 10240 && build <= 29999 ? '10.0' : undefined);
  return v === undefined ? null : byVersion.get(v)!;
}

export interface NativeOs {
  /** The normalised name, without the NT part. */
  name: string;
  product: WindowsProduct | null;
  version: NtVersion;
}

/**
 * SMB1 Native OS: "Windows 5.1", "Windows 2002 Service Pack 3 2600" (XP calls itself 2002),
 * "Windows Server 2003 R2 3790 Service Pack 2", "Windows 7 Professional 7601 Service Pack 1",
 * "Windows 8.1 9600". Anything else (Samba's "Unix", pre-release code names) is not normalised.
 */
export function parseNativeOs(s: string): NativeOs | null {
  const text = s.replace(/\s+/g, ' ').trim();
  const bare = /^Windows (\d{1,2}\.\d{1,2})$/.exec(text);
  if (bare !== null) {
    const version = parseVersion(bare[1]!);
    return version === null ? null : { name: version.family.either, product: null, version };
  }
  const m =
    /^Windows (?<p>[A-Za-z0-9][A-Za-z0-9 .]*?)(?: Service Pack (?<sp1>\d{1,2}))? (?<b>\d{4,5})(?: Service Pack (?<sp2>\d{1,2}))?$/.exec(
      text,
    );
  if (m === null) return null;
  const build = Number(m.groups!.b);
  const family = familyOfBuild(build);
  if (family === null) return null;
  let p = m.groups!.p!.replace(/^2002\b/, 'XP');
  const product: WindowsProduct = /\bServer\b/.test(p) ? 'server' : 'client';
  // Windows 10 and 11 name their release (1511, 22H2) by build; the edition string does not say it.
  const rel = family.releases.find((r) => r.build === build);
  if (family.version === '10.0' && product === 'client' && rel?.client !== undefined) {
    const release = rel.client.replace(/^Windows \d+ /, '');
    if (!p.includes(release)) p = `${p} ${release}`;
  }
  const sp = m.groups!.sp1 ?? m.groups!.sp2;
  return {
    name: `Windows ${p}${sp === undefined ? '' : ' SP' + sp}`,
    product,
    version: { family, build },
  };
}

/**
 * The `windows` lookup of the rules: "<ntlm version>|<native os>", either part may be empty, or
 * "<ntlm version>|client" / "|server" when another signal (browser announcement flags) gives the
 * product type. The NTLM version (a precise build) decides the release; the Native OS adds the edition
 * and service pack when it names the same build, and the product type (client or server) when it
 * names the same NT version. Null when neither part is a Windows release we know.
 */
export function windowsName(input: string): string | null {
  const bar = input.indexOf('|');
  const version = (bar < 0 ? input : input.slice(0, bar)).trim();
  const right = bar < 0 ? '' : input.slice(bar + 1).trim();
  if (version !== '' && (right === 'client' || right === 'server')) return windowsFromVersion(version, right);
  const native = right === '' ? null : parseNativeOs(right);
  if (version === '') return native === null ? null : `${native.name}, ${nt(native.version)}`;
  const v = parseVersion(version);
  if (v === null) return null;
  if (native !== null && native.version.family === v.family) {
    if (native.version.build === v.build) return `${native.name}, ${nt(v)}`;
    return windowsFromVersion(version, native.product);
  }
  return windowsFromVersion(version);
}
