#!/usr/bin/env node
// Generates the vendor / device-type tables in this folder from public registries.
//
//   node assets/registries/generate.mjs [--odva vendors.csv] [--ashrae vendors.csv] [--hart facts.tsv]
//                                       [--from-tshark [cip,bacnet]] [--out DIR]
//
// Names come from, in order of preference:
//   --odva FILE    the ODVA "EtherNet/IP & CIP vendor ID" list exported as CSV (id,name per line)
//   --ashrae FILE  the ASHRAE "BACnet vendor IDs" list as id;name lines (as bacnet.org publishes it).
//   --from-tshark  the whole registry as the local Wireshark carries it (`tshark -G values`: the value
//                  tables of cip.id.vendor_id and bacapp.vendor_identifier), for the registries named
//                  (cip, bacnet; both when none is named). The header records tshark's and Wireshark's
//                  versions and the date, since Wireshark's copy is as recent as the installed release.
//   default        BACnet: sources/ashrae-bacnet-vendor-ids.csv, a snapshot of the ASHRAE list.
//                  CIP: only the ids in seed.json, looked up one by one in tshark's table.
// The committed tables: `--from-tshark cip` (Wireshark's CIP list is the fullest one we can get
// offline; the ASHRAE snapshot names more BACnet ids than Wireshark 4.0 does).
// A registry file gives the whole registry; a `# source: ...` comment line in it names where it came
// from and becomes the table's _source. The ids in seed.json (every id the corpus shows, plus curated
// automation vendors) must all be in the table; any that are not are listed in _missing.
// Registry FACTS (id -> name) only: no code or table of any other project is copied.
// PROFINET vendor ids and CIP device types are taken from seed.json as written there.
// HART manufacturer ids: sources/hart-manufacturers.tsv (or --hart FILE), facts gathered one vendor at
// a time from public device documents, each row with the URL and the phrase that states it (the
// FieldComm Group's own table may not be reproduced). A row without them, or an id given twice, fails.
// --out DIR writes the tables there instead of beside this script (tests use it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep as pathSep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const seed = JSON.parse(readFileSync(join(here, 'seed.json'), 'utf8'));
const argv = process.argv.slice(2);
const fail = (msg) => {
  console.error(`generate.mjs: ${msg}`);
  process.exit(2);
};
const FLAGS = new Set(['--odva', '--ashrae', '--hart', '--from-tshark', '--out']);
for (let i = 0; i < argv.length; i++) {
  if (!FLAGS.has(argv[i]))
    fail(
      `unknown argument '${argv[i]}'; use --odva FILE, --ashrae FILE, --hart FILE, --from-tshark [cip,bacnet], --out DIR`,
    );
  if (argv[i] === '--from-tshark' && !/^[a-z,]+$/.test(argv[i + 1] ?? '')) continue;
  i++;
}
const arg = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
};
const readable = (flag, path) => {
  if (path !== undefined && !existsSync(path)) fail(`${flag} ${path}: no such file`);
  return path;
};
// --from-tshark alone means both registries; with a list, the ones named.
const fromTsharkFor = (() => {
  const i = argv.indexOf('--from-tshark');
  if (i < 0) return new Set();
  const v = argv[i + 1];
  const names = v !== undefined && /^[a-z,]+$/.test(v) ? v.split(',').filter(Boolean) : ['cip', 'bacnet'];
  for (const n of names)
    if (n !== 'cip' && n !== 'bacnet') fail(`--from-tshark ${v}: registries are cip and bacnet`);
  return new Set(names);
})();
const outDir = arg('--out') ? resolve(arg('--out')) : here;

function fromCsv(path, sep) {
  const m = new Map();
  let source;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const src = /^#\s*source:\s*(.+)$/.exec(line);
    if (src) source = src[1].trim();
    const [id, name] = line.split(sep);
    if (/^\d+$/.test(id?.trim() ?? '') && name) m.set(Number(id), name.trim().replace(/^"|"$/g, ''));
  }
  return { names: m, source };
}

function tshark(args) {
  try {
    return execFileSync('tshark', args, {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    return fail(
      `tshark ${args.join(' ')} failed (${e.code ?? e.status}); install tshark or use --odva/--ashrae FILE`,
    );
  }
}

const HART_KINDS = new Set(['vendor manual', 'third-party manual', 'DD listing']);

/**
 * The HART facts file: `#` comment lines (one `# source: ...`), then per vendor
 * id<TAB>name<TAB>url<TAB>phrase<TAB>kind. Every row must carry its evidence; ids are HART 7's 16 bits.
 */
function fromHartTsv(path) {
  const names = new Map();
  let source;
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const src = /^#\s*source:\s*(.+)$/.exec(line);
      if (src) source = src[1].trim();
      if (line.trim() === '' || line.startsWith('#')) return;
      const where = `${shown(path)} line ${i + 1}`;
      const [id, name, url, phrase, kind, ...rest] = line.split('\t').map((c) => c.trim());
      if (!/^\d{1,5}$/.test(id ?? '') || Number(id) > 0xffff) fail(`${where}: id '${id}' is not 0..65535`);
      if (!name) fail(`${where}: no name`);
      if (!/^https?:\/\/\S+$/.test(url ?? '')) fail(`${where}: no source URL`);
      if (!phrase) fail(`${where}: no quoted phrase`);
      if (!HART_KINDS.has(kind ?? '') || rest.length > 0)
        fail(`${where}: kind '${kind ?? ''}' is not ${[...HART_KINDS].join(' / ')}`);
      if (names.has(Number(id))) fail(`${where}: id ${id} given twice`);
      names.set(Number(id), name);
    });
  if (names.size === 0) fail(`${shown(path)}: no facts`);
  return { names, source };
}

let tsharkValues = null;
/** One value_string table of `tshark -G values` (lines V, field, value, name). */
function fromTshark(field) {
  tsharkValues ??= tshark(['-G', 'values']);
  const m = new Map();
  for (const line of tsharkValues.split('\n')) {
    const c = line.split('\t');
    if (c[0] === 'V' && c[1] === field && /^\d+$/.test(c[2] ?? '') && c[3]) m.set(Number(c[2]), c[3].trim());
  }
  if (m.size === 0) fail(`tshark -G values has no value table for ${field}`);
  return m;
}

/** "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3)." -> both versions. */
function tsharkVersion() {
  const first = tshark(['--version']).split('\n')[0] ?? '';
  const m =
    /^TShark \(Wireshark\) (\S+?)\.? \((.+?)\)\.?$/.exec(first.trim()) ??
    /^TShark \(Wireshark\) (\S+?)\.?$/.exec(first.trim());
  if (!m) fail(`cannot read tshark's version from '${first}'`);
  return { tshark: m[1], wireshark: m[2] ? `${m[1]} (${m[2]})` : m[1] };
}

// The day the table was read, UTC; SOURCE_DATE_EPOCH (reproducible builds) fixes it.
const today = new Date(
  process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now(),
)
  .toISOString()
  .slice(0, 10);

// full: every id the source names (a whole registry); otherwise only `ids` (names looked up one by one).
// head: header fields written after _source and _generated (_tshark, _wireshark, _date, _note).
function table({ source, generatedBy, names, full, head }, ids) {
  const out = { _source: source, _generated: generatedBy, ...head };
  const missing = [];
  const wanted = new Set(ids);
  if (full) for (const id of names.keys()) wanted.add(id);
  for (const id of [...wanted].sort((a, b) => a - b)) {
    const n = names.get(id);
    if (n === undefined || /^Reserved/i.test(n)) {
      if (ids.includes(id)) missing.push(id);
    } else out[String(id)] = n;
  }
  if (missing.length) out._missing = missing;
  return out;
}

const stamp = (from) => `generated by assets/registries/generate.mjs from ${from}; do not edit`;
const odva = readable('--odva', arg('--odva'));
const hartFile = readable('--hart', arg('--hart')) ?? join(here, 'sources', 'hart-manufacturers.tsv');
const ashraeDefault = join(here, 'sources', 'ashrae-bacnet-vendor-ids.csv');
const ashraeArg = readable('--ashrae', arg('--ashrae'));
const cipIds = [...seed.cipVendors.corpus, ...seed.cipVendors.curated];
const bacIds = [...seed.bacnetVendors.corpus, ...seed.bacnetVendors.curated];
const partial =
  'Partial: only the ids in seed.json (every id the development corpus shows, plus curated automation vendors). ' +
  'The full registry was not reachable offline; names were verified one id at a time.';
const shown = (path) => relative(here, path).split(pathSep).join('/');

/**
 * Where one registry's names come from: an explicit registry file, else tshark's whole table when
 * --from-tshark names it, else the default file (if any), else tshark's names for the seeded ids only.
 */
function registry({ key, title, field, file, defaultFile, sep }) {
  const path = file ?? (fromTsharkFor.has(key) ? undefined : defaultFile);
  if (path !== undefined) {
    const list = fromCsv(path, sep);
    return {
      source: list.source ?? `${title} (${shown(path)})`,
      generatedBy: stamp(`${shown(path)} and seed.json`),
      names: list.names,
      full: true,
      head: {},
    };
  }
  const names = fromTshark(field);
  if (fromTsharkFor.has(key)) {
    const v = tsharkVersion();
    return {
      source: `${title}, as carried by Wireshark ${v.tshark} (tshark -G values, field ${field}), read ${today}`,
      generatedBy: stamp(`tshark -G values (--from-tshark) and seed.json`),
      names,
      full: true,
      head: { _tshark: v.tshark, _wireshark: v.wireshark, _date: today },
    };
  }
  return {
    source: `${title}, as mirrored by Wireshark (tshark -G values, field ${field})`,
    generatedBy: stamp('seed.json'),
    names,
    full: false,
    head: { _note: partial },
  };
}

// Read first: a facts file that fails its checks stops the run before anything else is looked up.
const hart = (() => {
  const { names, source } = fromHartTsv(hartFile);
  return {
    _source: source ?? `HART manufacturer ids stated in public device documents (${shown(hartFile)})`,
    _generated: stamp(shown(hartFile)),
    _note:
      "Partial: the FieldComm Group's manufacturer table (HCF_SPEC-183) may not be reproduced, so only ids " +
      'a public device document states are listed; the TSV gives each one its URL and phrase.',
    ...Object.fromEntries(names),
  };
})();

const files = {
  'cip-vendors.json': table(
    registry({
      key: 'cip',
      title: 'ODVA CIP vendor ID list',
      field: 'cip.id.vendor_id',
      file: odva,
      sep: ',',
    }),
    cipIds,
  ),
  'bacnet-vendors.json': table(
    registry({
      key: 'bacnet',
      title: 'ASHRAE BACnet vendor ID list',
      field: 'bacapp.vendor_identifier',
      file: ashraeArg,
      defaultFile: existsSync(ashraeDefault) ? ashraeDefault : undefined,
      sep: ';',
    }),
    bacIds,
  ),
  'profinet-vendors.json': (() => {
    const { _source, ...rest } = seed.profinetVendors;
    return {
      _source,
      _generated: stamp('seed.json'),
      _note:
        "Partial: PI's Manufacturer ID table is not redistributable (its terms let only tools of PI member " +
        'companies download it), so only ids checked one by one are listed.',
      ...rest,
    };
  })(),
  'hart-manufacturers.json': hart,
  'cip-device-types.json': (() => {
    const { _source, ...rest } = seed.cipDeviceTypes;
    return { _source, _generated: stamp('seed.json'), ...rest };
  })(),
};
// Written by hand so that the header fields come first (JSON.stringify puts integer keys first).
function render(data) {
  const keys = Object.keys(data);
  const head = keys.filter((k) => k.startsWith('_'));
  const body = keys.filter((k) => !k.startsWith('_')).sort((a, b) => Number(a) - Number(b));
  const lines = [...head, ...body].map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(data[k])}`);
  return '{\n' + lines.join(',\n') + '\n}\n';
}

mkdirSync(outDir, { recursive: true });
for (const [name, data] of Object.entries(files)) {
  writeFileSync(join(outDir, name), render(data));
  console.log(name, Object.keys(data).filter((k) => !k.startsWith('_')).length, 'entries');
}
