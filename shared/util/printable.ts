/**
 * Text from the wire made safe to print on a terminal: C0 and C1 control characters (escape
 * sequences, bells, carriage returns) and DEL each become '?', so nothing a device or a receiver
 * sent can move the cursor, recolour or retitle the terminal it is printed on.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
