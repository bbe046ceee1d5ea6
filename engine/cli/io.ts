// Where commands write. Tests pass their own streams.

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

export function line(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text + '\n');
}

/** A usage or input problem the user can fix: printed as one line, exit code 2 (1 for invalid workflows). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
