import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
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
    readonly code: 'not-found' | 'not-a-capture' | 'permission' | 'is-directory' | 'io',
  ) {
    super(message);
  }
}

export interface ReadOptions {
  /** Called now and then with bytes read so far and the file size (compressed bytes for gzip). */
  onProgress?: (read: number, size: number) => void;
  signal?: AbortSignal;
}

const CHUNK = 1 << 20;

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
  let size = 0;
  try {
    const st = await stat(path);
    if (st.isDirectory())
      throw new CaptureFileError(`${path} is a folder, not a capture file`, 'is-directory');
    size = st.size;
  } catch (e) {
    throw toFileError(e, path);
  }
  const gzip = await startsWithGzip(path);
  const parser = new CaptureParser(sink);
  let read = 0;
  let lastReport = 0;
  const progress = () => {
    if (o.onProgress && read - lastReport >= 4 * CHUNK) {
      lastReport = read;
      o.onProgress(read, size);
    }
  };
  let gzipError: string | null = null;
  if (!gzip) {
    // Plain captures: two buffers, one filled by the next read (on libuv's thread pool) while the
    // parser works through the other, so the copy from the page cache costs no time on this thread.
    // Frames are views the sink must not keep, so a buffer is free again once push() returns. Each
    // read completes through the event loop, so hosts' timers (the UI's change stream) still run
    // between chunks, a few milliseconds of work each.
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw toFileError(e, path);
    }
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
        progress();
      }
    } finally {
      // A read still in flight must finish before the handle closes; its result no longer matters.
      await next.catch(() => 0);
      await fh.close();
    }
  } else {
    const file = createReadStream(path, { highWaterMark: CHUNK });
    file.on('data', (c) => {
      read += c.length;
    });
    const input = file.pipe(createGunzip({ chunkSize: CHUNK }));
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (o.signal?.aborted) break;
        parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if (parser.stopped) break;
        progress();
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || err.errno === -5) {
        // A cut-off or damaged gzip stream: keep every frame that came out before the damage.
        gzipError = `compressed data ends early or is damaged (${err.message}); the ${parser.frames} frames before it were read`;
      } else throw toFileError(e, path);
    } finally {
      file.destroy();
    }
  }
  parser.end();
  if (parser.notCapture) {
    throw new CaptureFileError(
      `${path} is not a capture file (expected pcap or pcapng, optionally gzip-compressed): ${parser.warnings[0] ?? ''}`.trim(),
      'not-a-capture',
    );
  }
  if (gzipError !== null) parser.warnings.push(gzipError);
  o.onProgress?.(size, size);
  return {
    path,
    format: parser.format!,
    gzip,
    frames: parser.frames,
    interfaces: parser.interfaces,
    names: parser.names,
    warnings: parser.warnings,
  };
}

async function startsWithGzip(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch (e) {
    throw toFileError(e, path);
  } finally {
    await fh?.close();
  }
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
