import assert from 'node:assert/strict';

/** An independent CEF reader for the tests: header by unescaped pipes, extension by unescaped equals signs. */

export function parseCef(line: string): { header: string[]; ext: Map<string, string> } {
  assert.ok(line.startsWith('CEF:0|'), line.slice(0, 80));
  const header: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === '\\' || line[i + 1] === '|')) cur += line[++i];
    else if (c === '|') {
      header.push(cur);
      cur = '';
    } else cur += c;
  }
  const ext = line.slice(i);
  const eqs: number[] = [];
  for (let j = 0; j < ext.length; j++) {
    if (ext[j] === '\\') j++;
    else if (ext[j] === '=') eqs.push(j);
  }
  const keys = eqs.map((eq) => {
    const start = ext.lastIndexOf(' ', eq) + 1;
    return { start, eq, key: ext.slice(start, eq) };
  });
  const out = new Map<string, string>();
  keys.forEach((k, n) => {
    const end = n + 1 < keys.length ? keys[n + 1]!.start - 1 : ext.length;
    assert.ok(/^[A-Za-z0-9]+$/.test(k.key), `bad key '${k.key}' in ${line.slice(0, 200)}`);
    assert.ok(!out.has(k.key), `duplicate key ${k.key}`);
    out.set(
      k.key,
      ext.slice(k.eq + 1, end).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)),
    );
  });
  return { header, ext: out };
}
