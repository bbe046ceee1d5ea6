// A workflow's YAML text with source positions: parse once, then find the line:col of any value, key
// or missing key by its path in the data.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { errorMessage } from '../core/errors.js';
import { MAX_YAML_ALIASES } from './limits.js';

export type DataPath = (string | number)[];

/** Where in the file an issue points: the value at `path`, the key naming it, or (for a key that is
 *  absent) the key of the mapping that should hold it. */
export type Anchor = 'value' | 'key' | 'missing';

export interface Issue {
  path: DataPath;
  at: Anchor;
  message: string;
}

export interface Position {
  line: number;
  col: number;
}

export interface YamlIssue extends Position {
  message: string;
}

export class WorkflowSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();
  /** YAML errors (syntax, duplicate keys), already positioned. */
  readonly yamlIssues: YamlIssue[] = [];
  /** False when the YAML is too broken to check further (anything but duplicate keys). */
  readonly usable: boolean;

  /**
   * `quiet`: the text is a base named by `extends`, which may be any file: problems name the place and
   * the kind of problem, never the file's text.
   */
  constructor(
    readonly text: string,
    options: { quiet?: boolean } = {},
  ) {
    // uniqueKeys: false, because the yaml package checks them in quadratic time (a 7 MB file with 400k
    // keys parsed for minutes); duplicateKeys() does it with a set
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, merge: true, uniqueKeys: false });
    let syntax = false;
    for (const e of this.doc.errors) {
      // Later syntax errors are mostly echoes of the first one.
      if (syntax) break;
      syntax = true;
      // an unclosed { or [ is noticed where the text goes on (often the next line): point at the bracket
      const opener = /end with (a )?[}\]]/.test(e.message) ? unclosedBracket(text, e.pos[0]) : undefined;
      if (opener !== undefined) {
        const ch = text[opener];
        this.yamlIssues.push({
          ...this.pos(opener),
          message: `YAML syntax error: this "${ch}" is never closed; add "${ch === '{' ? '}' : ']'}"`,
        });
        continue;
      }
      this.yamlIssues.push({
        ...this.pos(e.pos[0]),
        message: options.quiet ? `YAML syntax error (${e.code})` : `YAML syntax error: ${e.message}`,
      });
    }
    for (const key of duplicateKeys(this.doc.contents)) {
      const name = isScalar(key) ? String(key.value) : 'key';
      this.yamlIssues.push({
        ...this.nodePos(key),
        message: options.quiet
          ? 'duplicate key; remove one (YAML keys must be unique)'
          : `duplicate key "${name}"; remove one (YAML keys must be unique)`,
      });
    }
    if (!syntax) {
      try {
        this.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
      } catch (e) {
        // the "billion laughs": aliases of aliases that would expand to millions of values
        syntax = true;
        this.yamlIssues.push({
          line: 1,
          col: 1,
          message: `YAML aliases expand to too much data (${errorMessage(e).split('\n')[0]}; at most ${MAX_YAML_ALIASES} alias uses)`,
        });
      }
    }
    this.usable = !syntax;
  }

  data(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  }

  /** Whether the file sets a value at `path`. */
  has(path: DataPath): boolean {
    return this.walk(path).depth === path.length;
  }

  locate(issue: Issue): Position {
    const { path, at } = issue;
    if (at === 'missing') {
      // `path` names the absent key: point at the key of its parent mapping, or the mapping's first key.
      const parent = path.slice(0, -1);
      if (parent.length > 0) {
        const key = this.keyNode(parent.slice(0, -1), parent[parent.length - 1]);
        if (key) return this.nodePos(key);
      }
      const holder = this.walk(parent);
      const node = holder.node;
      if (isMap(node) && node.items.length > 0 && node.items[0].key) return this.nodePos(node.items[0].key as Node);
      return node ? this.nodePos(node) : { line: 1, col: 1 };
    }
    if (at === 'key' && path.length > 0) {
      const key = this.keyNode(path.slice(0, -1), path[path.length - 1]);
      if (key) return this.nodePos(key);
    }
    const found = this.walk(path);
    // A value that is absent (e.g. `key:` with nothing) points at its key.
    if (found.depth === path.length && found.node) return this.nodePos(found.node);
    if (found.depth === path.length - 1) {
      const key = this.keyNode(path.slice(0, -1), path[path.length - 1]);
      if (key) return this.nodePos(key);
    }
    return found.node ? this.nodePos(found.node) : { line: 1, col: 1 };
  }

  private pos(offset: number): Position {
    return this.lines.linePos(offset);
  }

  private nodePos(node: Node): Position {
    return node.range ? this.pos(node.range[0]) : { line: 1, col: 1 };
  }

  private resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  /** The deepest node along `path` and how many segments were followed. */
  private walk(path: DataPath): { node: Node | null; depth: number } {
    let node = this.resolve(this.doc.contents);
    let depth = 0;
    for (const seg of path) {
      let next: Node | null = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        next = pair ? this.resolve(pair.value) : null;
      } else if (isSeq(node) && typeof seg === 'number') {
        next = this.resolve(node.items[seg]);
      }
      if (!next) break;
      node = next;
      depth++;
    }
    return { node, depth };
  }

  /** The key node of `seg` in the mapping at `parent` (the item itself for a sequence). */
  private keyNode(parent: DataPath, seg: string | number): Node | null {
    const found = this.walk(parent);
    if (found.depth !== parent.length) return null;
    const node = found.node;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      return (pair?.key as Node | undefined) ?? null;
    }
    if (isSeq(node) && typeof seg === 'number') return this.resolve(node.items[seg]);
    return null;
  }
}

/** `strategy.population`, `space.ops[2]`; the empty path is "the workflow". */
export function showPath(path: DataPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the workflow';
}

/** Keys that repeat a key earlier in the same mapping, in linear time (iterative: nesting cannot overflow the stack). */
function duplicateKeys(root: unknown): Node[] {
  const out: Node[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const k = String(pair.key.value);
          if (seen.has(k) && k !== '<<') out.push(pair.key); // `<<` merges may repeat
          seen.add(k);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return out;
}

/**
 * The offset of the innermost { or [ still open at `end` (quotes and comments skipped), or undefined.
 * A plain scan, not a YAML parser: only used to place an error the parser already found.
 */
function unclosedBracket(text: string, end: number): number | undefined {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s{[,:]/.test(text[i - 1])))
      quote = c; // `don't` is no quote
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '{' || c === '[') open.push(i);
    else if (c === '}' || c === ']') open.pop();
  }
  return open.length > 0 ? open[open.length - 1] : undefined;
}
