/**
 * The text of a PDF that Chromium (Skia) printed, for tests on a machine without pdftotext: content
 * streams are deflated, text is hex strings of 2-byte glyph ids between BT and ET, and each font's
 * ToUnicode CMap maps glyph ids to characters. Which font a run uses is not tracked: the text is
 * decoded once per CMap, so a run reads right in its own font's decoding (others give noise).
 */
import { inflateSync } from 'node:zlib';

function streams(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of s.matchAll(/stream\r?\n/g)) {
    try {
      out.push(inflateSync(pdf.subarray(m.index + m[0].length)).toString('latin1'));
    } catch {
      // Not deflated (or not a stream at all): nothing to read.
    }
  }
  return out;
}

const hexChars = (h: string) => {
  let s = '';
  for (let i = 0; i + 4 <= h.length; i += 4) s += String.fromCharCode(parseInt(h.slice(i, i + 4), 16));
  return s;
};

function cmapOf(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(parseInt(m[1]!, 16), hexChars(m[2]!));
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const lo = parseInt(m[1]!, 16);
      const hi = parseInt(m[2]!, 16);
      const base = parseInt(m[3]!, 16);
      for (let g = lo; g <= hi && g - lo < 65536; g++) map.set(g, String.fromCharCode(base + g - lo));
    }
  return map;
}

/** Every text run (one BT ... ET) on its own line, decoded with each font's CMap in turn. */
export function pdfText(pdf: Buffer): string {
  const all = streams(pdf);
  const cmaps = all.filter((t) => t.includes('begincmap')).map(cmapOf);
  const runs = all
    .filter((t) => /\bBT\b/.test(t))
    .flatMap((t) => [...t.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)].map((m) => m[1]!))
    .map((run) => [...run.matchAll(/<([0-9A-Fa-f]*)>/g)].map((m) => m[1]!).join(''));
  return cmaps
    .map((map) =>
      runs
        .map((hex) => {
          let line = '';
          for (let i = 0; i + 4 <= hex.length; i += 4)
            line += map.get(parseInt(hex.slice(i, i + 4), 16)) ?? '';
          // Ligatures (ﬃ) back to their letters.
          return line.normalize('NFKC');
        })
        .join('\n'),
    )
    .join('\n\f\n');
}
