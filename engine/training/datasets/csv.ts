// CSV -> tabular dataset. A header row is required; the label column holds the class, every other
// column must be numeric. Errors name the file, the line and the column so they can be fixed.
//
// Parsed as a stream: the file is read in chunks and each row goes straight into a growing
// Float32Array, so memory is the features (4 bytes a value) plus one string per class, not a string
// per cell (a 200 MB CSV once peaked at 3.7 GB). A table whose features would not fit the memory
// budget is refused with a clear error before the machine runs out.

import { FatalError } from '../../core/errors.js';
import { forEachTextChunk, readText } from './files.js';
import { parseCsv } from './csv-rows.js';
import { totalmem } from 'node:os';
import type { RawDataset } from './types.js';

/** The most feature bytes a CSV may decode to: a quarter of the machine's memory, at most 4 GiB. */
export function maxFeatureBytes(): number {
  return Math.min(4 * 2 ** 30, Math.floor(totalmem() / 4));
}

/** Builds a RawDataset row by row from CSV text fed in chunks (RFC 4180-ish: commas, "" escapes, CRLF or LF). */
export class CsvTable {
  private header: string[] | undefined;
  private labelCol = -1;
  private d = 0;
  private n = 0;
  private x = new Float32Array(0);
  private labels: string[] = [];
  /** One string object per class, so a million labels do not hold a million strings. */
  private readonly interned = new Map<string, string>();
  // parser state, kept across chunks
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  /** A quote seen inside a quoted cell: either an escaped quote ("") or the cell's end. */
  private quoteInQuoted = false;
  /** A \r ended a row: a \n right after it belongs to the same line break. */
  private skipLf = false;
  private started = false;
  private line = 1;
  private rowLine = 1;

  constructor(
    private readonly file: string,
    private readonly label: string,
    private readonly maxBytes = maxFeatureBytes(),
  ) {}

  push(text: string): void {
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
    }
    for (; i < text.length; i++) {
      const c = text[i];
      if (this.skipLf) {
        this.skipLf = false;
        if (c === '\n') continue;
      }
      if (this.quoteInQuoted) {
        this.quoteInQuoted = false;
        if (c === '"') {
          this.cell += '"';
          continue;
        }
        this.quoted = false; // the quote closed the cell: `c` is read as outside quotes below
      }
      if (this.quoted) {
        if (c === '"') this.quoteInQuoted = true;
        else {
          if (c === '\n') this.line++;
          this.cell += c;
        }
      } else if (c === '"' && this.cell.trim() === '') {
        this.quoted = true;
        this.cell = '';
      } else if (c === ',') {
        this.cells.push(this.cell);
        this.cell = '';
      } else if (c === '\n' || c === '\r') {
        this.skipLf = c === '\r';
        this.endRow();
        this.line++;
        this.rowLine = this.line;
      } else this.cell += c;
    }
  }

  end(): RawDataset {
    if (this.cell !== '' || this.cells.length > 0) this.endRow();
    const { file } = this;
    if (!this.header) throw new FatalError(`${file}: the file is empty (a header row and samples are needed)`);
    if (this.n === 0) throw new FatalError(`${file}: only a header row, no samples`);
    const featureNames = this.header.filter((_, j) => j !== this.labelCol);
    return {
      x: this.x.length === this.n * this.d ? this.x : this.x.slice(0, this.n * this.d),
      labels: this.labels,
      featureShape: [this.d],
      standardize: true,
      featureNames,
    };
  }

  private endRow(): void {
    const cells = this.cells;
    cells.push(this.cell);
    this.cells = [];
    this.cell = '';
    if (cells.length === 1 && cells[0].trim() === '') return; // blank line
    if (!this.header) return this.setHeader(cells);
    const { file, header, label } = this;
    const line = this.rowLine;
    if (cells.length !== header.length) {
      throw new FatalError(`${file}:${line}: ${cells.length} cells, the header has ${header.length} columns`);
    }
    this.reserve(this.n + 1);
    let k = this.n * this.d;
    for (let j = 0; j < cells.length; j++) {
      const raw = cells[j].trim();
      if (j === this.labelCol) {
        if (raw === '') throw new FatalError(`${file}:${line}: empty label in column "${label}"`);
        let name = this.interned.get(raw);
        if (name === undefined) {
          name = raw;
          this.interned.set(raw, name);
        }
        this.labels.push(name);
        continue;
      }
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) {
        throw new FatalError(`${file}:${line}: column "${header[j]}" is not a number: ${JSON.stringify(cells[j])}`);
      }
      this.x[k++] = v;
    }
    this.n++;
  }

  private setHeader(cells: string[]): void {
    const header = cells.map((h) => h.trim());
    this.labelCol = header.indexOf(this.label);
    if (this.labelCol < 0) {
      throw new FatalError(`${this.file}: no label column "${this.label}"; the columns are: ${header.join(', ')}`);
    }
    this.d = header.length - 1;
    if (this.d === 0) throw new FatalError(`${this.file}: no feature columns besides the label column "${this.label}"`);
    this.header = header;
  }

  /** Room for `rows` rows: capacity doubles, within the memory budget. */
  private reserve(rows: number): void {
    const need = rows * this.d;
    if (need <= this.x.length) return;
    if (need * 4 > this.maxBytes) {
      throw new FatalError(
        `${this.file}: more than ${rows - 1} rows of ${this.d} features do not fit the dataset memory budget of ` +
          `${(this.maxBytes / 2 ** 20).toFixed(0)} MiB (a quarter of this machine's memory); use a smaller file ` +
          '(a sample of its rows)',
      );
    }
    const grown = new Float32Array(
      Math.min(Math.max(need, this.x.length * 2, 1024 * this.d), Math.floor(this.maxBytes / 4)),
    );
    grown.set(this.x);
    this.x = grown;
  }
}

export function tableFromCsv(text: string, file: string, label: string, categorical: string[] = []): RawDataset {
  if (categorical.length > 0) return categoricalTableFromCsv(text, file, label, categorical);
  const t = new CsvTable(file, label);
  t.push(text);
  return t.end();
}

/**
 * A table with categorical columns, read whole as rows of strings: a categorical cell stays a string
 * until it is coded by its index among the column's sorted values. (Numeric tables stream through
 * CsvTable instead; tables with id columns are the size of a ratings table, not of a sensor log.)
 */
function categoricalTableFromCsv(text: string, file: string, label: string, categorical: string[]): RawDataset {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new FatalError(`${file}: the file is empty (a header row and samples are needed)`);
  const header = rows[0].cells.map((h) => h.trim());
  const labelCol = header.indexOf(label);
  if (labelCol < 0) {
    throw new FatalError(`${file}: no label column "${label}"; the columns are: ${header.join(', ')}`);
  }
  if (rows.length === 1) throw new FatalError(`${file}: only a header row, no samples`);
  const featureNames = header.filter((_, j) => j !== labelCol);
  for (const c of categorical) {
    if (c === label || !featureNames.includes(c)) {
      throw new FatalError(
        `${file}: dataset.categorical names "${c}", ${c === label ? 'the label column' : 'not a column'}; the feature columns are: ${featureNames.join(', ')}`,
      );
    }
  }
  // categorical cells are kept as strings, then coded by their index among the column's sorted values
  const catAt = new Map(categorical.map((c, k) => [header.indexOf(c), k]));
  const catCells: string[][] = categorical.map(() => []);
  const d = featureNames.length;
  if (d === 0) throw new FatalError(`${file}: no feature columns besides the label column "${label}"`);
  const n = rows.length - 1;
  const x = new Float32Array(n * d);
  const labels: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const { line, cells } = rows[r + 1];
    if (cells.length !== header.length) {
      throw new FatalError(`${file}:${line}: ${cells.length} cells, the header has ${header.length} columns`);
    }
    let k = r * d;
    for (let j = 0; j < cells.length; j++) {
      const raw = cells[j].trim();
      if (j === labelCol) {
        if (raw === '') throw new FatalError(`${file}:${line}: empty label in column "${label}"`);
        labels[r] = raw;
        continue;
      }
      const c = catAt.get(j);
      if (c !== undefined) {
        catCells[c].push(raw); // coded below, once the column's values are known
        k++;
        continue;
      }
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) {
        throw new FatalError(`${file}:${line}: column "${header[j]}" is not a number: ${JSON.stringify(cells[j])}`);
      }
      x[k++] = v;
    }
  }
  if (categorical.length === 0) return { x, labels, featureShape: [d], standardize: true, featureNames };
  const positions = categorical.map((c) => featureNames.indexOf(c));
  const values = catCells.map((cells) => [...new Set(cells)].sort());
  values.forEach((vals, c) => {
    const code = new Map(vals.map((v, i) => [v, i]));
    const p = positions[c];
    catCells[c].forEach((v, r) => (x[r * d + p] = code.get(v)!));
  });
  return {
    x,
    labels,
    featureShape: [d],
    standardize: true,
    featureNames,
    categorical: { names: [...categorical], positions, values },
  };
}

/** A text csv: the `text` column's raw strings and the label column; other columns are ignored. */
export function textFromCsv(text: string, file: string, label: string, column: string, length: number): RawDataset {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new FatalError(`${file}: the file is empty (a header row and samples are needed)`);
  const header = rows[0].cells.map((h) => h.trim());
  const labelCol = header.indexOf(label);
  const textCol = header.indexOf(column);
  if (labelCol < 0) throw new FatalError(`${file}: no label column "${label}"; the columns are: ${header.join(', ')}`);
  if (textCol < 0) throw new FatalError(`${file}: no text column "${column}"; the columns are: ${header.join(', ')}`);
  if (rows.length === 1) throw new FatalError(`${file}: only a header row, no samples`);
  const texts: string[] = [];
  const labels: string[] = [];
  for (const { line, cells } of rows.slice(1)) {
    if (cells.length !== header.length) {
      throw new FatalError(`${file}:${line}: ${cells.length} cells, the header has ${header.length} columns`);
    }
    const raw = cells[labelCol].trim();
    if (raw === '') throw new FatalError(`${file}:${line}: empty label in column "${label}"`);
    labels.push(raw);
    texts.push(cells[textCol]);
  }
  return { x: new Float32Array(texts.length * length), labels, featureShape: [length], standardize: false, texts };
}

export function loadCsv(file: string, label: string, categorical: string[] = []): RawDataset {
  if (categorical.length > 0) return categoricalTableFromCsv(readText(file), file, label, categorical);
  const t = new CsvTable(file, label);
  forEachTextChunk(file, (chunk) => t.push(chunk));
  return t.end();
}
