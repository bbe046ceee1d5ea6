// Reading a workflow file with a size bound: at most MAX_WORKFLOW_BYTES are read, so `nas validate
// /dev/zero` or a 7 MB generated file is refused at once instead of eating memory and minutes.

import { closeSync, openSync, readSync } from 'node:fs';
import { MAX_WORKFLOW_BYTES } from './limits.js';

export type ReadResult = { text: string } | { problem: string; code?: string };

export function readWorkflowText(file: string): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'error'})`, code };
  }
  try {
    const buf = Buffer.alloc(MAX_WORKFLOW_BYTES + 1);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got > MAX_WORKFLOW_BYTES)
      return { problem: `the file is larger than ${MAX_WORKFLOW_BYTES / 1024 / 1024} MiB, the most a workflow may be` };
    return { text: buf.toString('utf8', 0, got) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: `cannot read it (${code === 'EISDIR' ? 'it is a directory' : (code ?? 'error')})`, code };
  } finally {
    closeSync(fd);
  }
}
