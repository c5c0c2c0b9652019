/**
 * Text from the wire into HTML: every string a device sent (host names, vendor strings, models) is
 * escaped, and control characters (which HTML forbids and terminals act on) are made visible.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\ufffd')
      .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
  );
}

/** Escapes and shortens to `max` characters (the table must stay readable whatever a device says). */
export function cell(s: string | null | undefined, max = 120): string {
  if (s === null || s === undefined || s === '') return '';
  return escapeHtml(s.length > max ? s.slice(0, max - 1) + '…' : s);
}
