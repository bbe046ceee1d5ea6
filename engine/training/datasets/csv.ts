// CSV -> tabular dataset. A header row is required; the label column holds the class, every other
// column must be numeric. Errors name the file, the line and the column so they can be fixed.

import { FatalError } from '../../core/errors.js';
import { readText } from './files.js';
import type { RawDataset } from './types.js';

interface CsvRow {
  line: number; // 1-based line in the file
  cells: string[];
}

/** RFC 4180-ish: commas, double-quoted fields with "" escapes, CRLF or LF, blank lines skipped. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

export function tableFromCsv(text: string, file: string, label: string, categorical: string[] = []): RawDataset {
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

export function loadCsv(file: string, label: string, categorical: string[] = []): RawDataset {
  return tableFromCsv(readText(file), file, label, categorical);
}
