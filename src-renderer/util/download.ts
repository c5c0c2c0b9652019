/** Saves a Blob as a file through a temporary object URL (works in Chromium, Electron and Firefox). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

/** A base64 answer (exportReport's content) as a Blob, decoded in slices so a large PDF stays cheap. */
export function base64Blob(b64: string, mime: string): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  // A multiple of 4 characters decodes on its own.
  const SLICE = 4 * 256 * 1024;
  for (let i = 0; i < b64.length; i += SLICE) {
    const bin = atob(b64.slice(i, i + SLICE));
    const bytes = new Uint8Array(bin.length);
    for (let j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    parts.push(bytes);
  }
  return new Blob(parts, { type: mime });
}
