import { constants, createReadStream, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  CaptureParser,
  type CaptureFormat,
  type CaptureInterface,
  type FrameSink,
  type RecordSink,
} from '../../shared/capture/parser';

export interface FileReadResult {
  path: string;
  format: CaptureFormat;
  gzip: boolean;
  frames: number;
  interfaces: CaptureInterface[];
  names: { ip: string; name: string }[];
  /** Non-fatal problems: a truncated last record, a corrupt block where reading stopped. */
  warnings: string[];
}

/** A problem a person can fix (wrong path, not a capture, no permission). `message` says how. */
export class CaptureFileError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'not-a-capture' | 'permission' | 'is-directory' | 'not-a-file' | 'io',
  ) {
    super(message);
  }
}

export interface ReadOptions {
  /** Called now and then with bytes read so far and the file size (compressed bytes for gzip). */
  onProgress?: (read: number, size: number) => void;
  signal?: AbortSignal;
  /**
   * Also read what is not a regular file: '-' is standard input, and FIFOs, sockets and character
   * devices are read as streams (the command line: `tcpdump -w - | glasspane analyze -`). Off, such
   * paths are refused without blocking (a FIFO with no writer would hold the reader forever).
   */
  streams?: boolean;
}

const CHUNK = 1 << 20;

/** What a path that is not a regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export function notRegularFile(path: string, st: Stats): CaptureFileError {
  return new CaptureFileError(
    `${path} is not a regular file (${kindOf(st)}): open a saved capture file (pcap or pcapng)`,
    'not-a-file',
  );
}

/**
 * Stream a capture file (pcap, pcapng, or either gzip-compressed) through `sink`, in constant memory.
 * Frames passed to the sink are views into the current chunk (or ranges of it, with `{ records }`):
 * copy what must outlive the call.
 */
export async function readCaptureFile(
  path: string,
  sink: FrameSink | { records: RecordSink },
  o: ReadOptions = {},
): Promise<FileReadResult> {
  if (o.streams === true) {
    if (path === '-') return readCaptureStream(process.stdin, '-', sink, o);
    let st: Stats;
    try {
      st = await stat(path);
    } catch (e) {
      throw toFileError(e, path);
    }
    // A FIFO is opened by path, blocking (on the thread pool) until its writer comes: a non-blocking
    // open first would let the writer start and then see the pipe close under it.
    if (!st.isFile() && !st.isDirectory())
      return readCaptureStream(createReadStream(path, { highWaterMark: CHUNK }), path, sink, o);
  }
  // Non-blocking, so a FIFO (with or without a writer) cannot hold this open; what was opened is
  // then checked, not what the path named a moment before.
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw toFileError(e, path);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory())
      throw new CaptureFileError(`${path} is a folder, not a capture file`, 'is-directory');
    if (!st.isFile()) throw notRegularFile(path, st);
    return await readOpenFile(fh, st.size, path, sink, o);
  } finally {
    await fh.close().catch(() => {});
  }
}

async function readOpenFile(
  fh: FileHandle,
  size: number,
  path: string,
  sink: FrameSink | { records: RecordSink },
  o: ReadOptions,
): Promise<FileReadResult> {
  const gzip = await startsWithGzip(fh);
  const parser = new CaptureParser(sink);
  let read = 0;
  const progress = progressReporter(o, size);
  let gzipError: string | null = null;
  if (!gzip) {
    // Plain captures: two buffers, one filled by the next read (on libuv's thread pool) while the
    // parser works through the other, so the copy from the page cache costs no time on this thread.
    // Frames are views the sink must not keep, so a buffer is free again once push() returns. Each
    // read completes through the event loop, so hosts' timers (the UI's change stream) still run
    // between chunks, a few milliseconds of work each.
    const bufs = [new Uint8Array(CHUNK * 4), new Uint8Array(CHUNK * 4)];
    const fill = (b: Uint8Array) =>
      fh.read(b, 0, b.length, null).then(
        (r) => r.bytesRead,
        (e: unknown) => {
          throw toFileError(e, path);
        },
      );
    let next = fill(bufs[0]!);
    try {
      for (let i = 0; ; i ^= 1) {
        const n = await next;
        if (n === 0 || o.signal?.aborted) break;
        const buf = bufs[i]!;
        next = fill(bufs[i ^ 1]!);
        read += n;
        parser.push(n === buf.length ? buf : buf.subarray(0, n));
        if (parser.stopped) break;
        progress(read);
      }
    } finally {
      // A read still in flight must finish before the handle closes; its result no longer matters.
      await next.catch(() => 0);
    }
  } else {
    const file = createReadStream('', { fd: fh, start: 0, highWaterMark: CHUNK, autoClose: false });
    file.on('data', (c) => {
      read += c.length;
    });
    gzipError = await pump(gunzip(file), parser, o, () => progress(read), path);
  }
  return finish(parser, path, gzip, gzipError, o, size);
}

/**
 * Reads a capture from a stream (standard input, a FIFO): pcap or pcapng, gzip-compressed or not,
 * told apart by the first bytes. Memory stays constant: one chunk at a time, read as the parser
 * takes it. `name` is what messages call it ('-' is standard input).
 */
export async function readCaptureStream(
  input: Readable,
  name: string,
  sink: FrameSink | { records: RecordSink },
  o: ReadOptions = {},
): Promise<FileReadResult> {
  const label = name === '-' ? 'standard input' : name;
  const it = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  try {
    while (head.length < 2) {
      const r = await it.next();
      if (r.done === true) break;
      head = Buffer.concat([head, r.value]);
    }
  } catch (e) {
    input.destroy();
    throw toFileError(e, label);
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  async function* all() {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  const source = Readable.from(all(), { objectMode: false });
  const parser = new CaptureParser(sink);
  let gzipError: string | null;
  try {
    gzipError = await pump(gzip ? gunzip(source) : source, parser, o, () => {}, label);
  } finally {
    source.destroy();
    input.destroy();
  }
  return finish(parser, label, gzip, gzipError, o, 0);
}

/** `input` through gunzip, errors of either side ending the output. */
function gunzip(input: Readable): Readable {
  return pipeline(input, createGunzip({ chunkSize: CHUNK }), () => {});
}

/**
 * Feeds every chunk to the parser until the input ends, the parser stops or the run is aborted.
 * Returns what to warn about a damaged gzip stream (the frames before the damage are kept).
 */
async function pump(
  chunks: Readable,
  parser: CaptureParser,
  o: ReadOptions,
  progress: () => void,
  label: string,
): Promise<string | null> {
  try {
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      if (o.signal?.aborted) break;
      parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      if (parser.stopped) break;
      progress();
    }
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || err.errno === -5) {
      // A cut-off or damaged gzip stream: keep every frame that came out before the damage.
      return `compressed data ends early or is damaged (${err.message}); the ${parser.frames} frames before it were read`;
    }
    throw toFileError(e, label);
  } finally {
    chunks.destroy();
  }
}

function progressReporter(o: ReadOptions, size: number): (read: number) => void {
  let lastReport = 0;
  return (read) => {
    if (o.onProgress && read - lastReport >= 4 * CHUNK) {
      lastReport = read;
      o.onProgress(read, size);
    }
  };
}

function finish(
  parser: CaptureParser,
  label: string,
  gzip: boolean,
  gzipError: string | null,
  o: ReadOptions,
  size: number,
): FileReadResult {
  parser.end();
  if (parser.notCapture) {
    throw new CaptureFileError(
      `${label} is not a capture file (expected pcap or pcapng, optionally gzip-compressed): ${parser.warnings[0] ?? ''}`.trim(),
      'not-a-capture',
    );
  }
  if (gzipError !== null) parser.warnings.push(gzipError);
  o.onProgress?.(size, size);
  return {
    path: label === 'standard input' ? '-' : label,
    format: parser.format!,
    gzip,
    frames: parser.frames,
    interfaces: parser.interfaces,
    names: parser.names,
    warnings: parser.warnings,
  };
}

async function startsWithGzip(fh: FileHandle): Promise<boolean> {
  const b = Buffer.alloc(2);
  const { bytesRead } = await fh.read(b, 0, 2, 0);
  return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function toFileError(e: unknown, path: string): CaptureFileError {
  if (e instanceof CaptureFileError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return new CaptureFileError(`${path}: no such file; check the path`, 'not-found');
    case 'EACCES':
    case 'EPERM':
      return new CaptureFileError(
        `${path}: permission denied; make the file readable (chmod a+r) or copy it somewhere you can read`,
        'permission',
      );
    case 'EISDIR':
      return new CaptureFileError(`${path} is a folder, not a capture file`, 'is-directory');
    default:
      return new CaptureFileError(`${path}: cannot read (${err.message ?? String(e)})`, 'io');
  }
}
