// TextDecoder exists in every runtime Glasspane's shared code runs in (Node, Chromium, Electron), but
// the ES library typings do not declare it. Only what shared/ uses is declared here.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
