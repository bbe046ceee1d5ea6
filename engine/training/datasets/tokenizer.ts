// Text -> token ids. A vocabulary is fitted on the training split only (the most frequent tokens,
// ties broken alphabetically so it is the same on every machine) and saved with the run and with
// `nas export`, so an exported model reads raw strings exactly as it was trained. Id 0 pads a short
// text, id 1 stands for a token outside the vocabulary; longer texts are cut after `length` tokens.
// Written here rather than taken from a package: it is a few lines, and the saved form must be
// plain JSON we control (the vocabulary list and the settings).

import type { TokenizerConfig } from '../../core/workflow.js';

export const PAD = '<pad>';
export const OOV = '<oov>';

/** A fitted tokenizer: the settings and the vocabulary (index = token id). */
export interface Vocabulary {
  level: 'word' | 'char';
  lowercase: boolean;
  length: number;
  /** Absent in vocabularies saved before these options: false and 'first', as they were then. */
  punctuation?: boolean;
  keep?: 'first' | 'last';
  /** tokens[0] = PAD, tokens[1] = OOV, then by falling frequency in the training split. */
  tokens: string[];
}

// words: runs of letters, digits and apostrophes (punctuation and markup split them); with
// `punctuation`, every other non-space character is a token of its own as well
const WORD = /[\p{L}\p{N}']+/gu;
const WORD_OR_MARK = /[\p{L}\p{N}']+|[^\p{L}\p{N}'\s]/gu;

type TokenSettings = Pick<TokenizerConfig, 'level' | 'lowercase'> & { punctuation?: boolean };

export function tokenize(text: string, cfg: TokenSettings): string[] {
  const t = cfg.lowercase ? text.toLowerCase() : text;
  if (cfg.level === 'char') return Array.from(t);
  return t.match(cfg.punctuation ? WORD_OR_MARK : WORD) ?? [];
}

export function fitVocabulary(texts: readonly string[], cfg: TokenizerConfig): Vocabulary {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const tok of tokenize(text, cfg)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
  }
  const ranked = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, cfg.vocab - 2))
    .map(([tok]) => tok);
  return {
    level: cfg.level,
    lowercase: cfg.lowercase,
    length: cfg.length,
    punctuation: cfg.punctuation,
    keep: cfg.keep,
    tokens: [PAD, OOV, ...ranked],
  };
}

/** Token ids of `text`, written into `out` (length `vocab.length`), padded with 0. */
export function encodeInto(text: string, vocab: Vocabulary, index: Map<string, number>, out: Float32Array): void {
  out.fill(0);
  const all = tokenize(text, vocab);
  const toks = vocab.keep === 'last' && all.length > vocab.length ? all.slice(-vocab.length) : all;
  const n = Math.min(toks.length, vocab.length);
  for (let i = 0; i < n; i++) out[i] = index.get(toks[i]) ?? 1;
}

export function vocabularyIndex(vocab: Vocabulary): Map<string, number> {
  return new Map(vocab.tokens.map((t, i) => [t, i]));
}

/** Token ids of many texts, row-major [texts.length, vocab.length]. */
export function encodeTexts(texts: readonly string[], vocab: Vocabulary): Float32Array {
  const index = vocabularyIndex(vocab);
  const x = new Float32Array(texts.length * vocab.length);
  texts.forEach((t, i) => encodeInto(t, vocab, index, x.subarray(i * vocab.length, (i + 1) * vocab.length)));
  return x;
}
