// Reading user files with errors that say which file and why (FatalError: a run cannot go on without its data).

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { gunzipSync } from 'node:zlib';
import { FatalError, errorMessage } from '../../core/errors.js';

export function readBytes(file: string): Buffer {
  let data: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    data = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : errorMessage(e);
    throw new FatalError(`dataset file ${file}: ${why}`, { cause: e });
  }
  // gzip magic 1f 8b, whatever the extension says
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data);
    } catch (e) {
      throw new FatalError(`dataset file ${file}: broken gzip data (${errorMessage(e)})`, { cause: e });
    }
  }
  return data;
}

export function readText(file: string): string {
  return readBytes(file).toString('utf8');
}

const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Hands the text of `file` to `onChunk` in pieces of a few MiB, so a large file is never one string
 * (V8 caps strings at about 512 MiB, and a copy of the whole file is memory the parse does not need).
 * Gzipped files are decompressed whole first.
 */
export function forEachTextChunk(file: string, onChunk: (text: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let fd: number;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(`dataset file ${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(e)}`, { cause: e });
  }
  try {
    const head = Buffer.alloc(2);
    if (readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const data = readBytes(file);
      for (let at = 0; at < data.length; at += CHUNK_BYTES) onChunk(decoder.write(data.subarray(at, at + CHUNK_BYTES)));
    } else {
      const buf = Buffer.alloc(CHUNK_BYTES);
      for (let pos = 0; ;) {
        const got = readSync(fd, buf, 0, CHUNK_BYTES, pos);
        if (got === 0) break;
        pos += got;
        onChunk(decoder.write(buf.subarray(0, got)));
      }
    }
    const rest = decoder.end();
    if (rest) onChunk(rest);
  } finally {
    closeSync(fd);
  }
}
