// Reading user files with errors that say which file and why (FatalError: a run cannot go on without its data).

import { readFileSync, statSync } from 'node:fs';
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
