// Evaluator `benchmark`: looks a candidate up in a table of precomputed results (NAS-Bench-201 and
// the like). The table is a CSV with a column `arch` holding the space's canonical key and one
// column per metric. Loaded once per path and shared.

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { FatalError, TrialError } from '../core/errors.js';
import type { Metrics } from '../core/types.js';
import { parseCsv } from './csv.js';
import type { EvaluatorDefinition, Evaluator } from '../core/evaluator.js';

export interface BenchmarkOptions {
  table: string;
  metric: string;
  report_as?: string;
  delay_ms?: number;
}

export interface BenchmarkTable {
  path: string;
  columns: string[];
  rows: Map<string, Metrics>;
}

const tables = new Map<string, BenchmarkTable>();

export function loadBenchmarkTable(path: string): BenchmarkTable {
  const cached = tables.get(path);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FatalError(`benchmark table ${path} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  const { header, rows } = parseCsv(text);
  const archCol = header.indexOf('arch');
  if (archCol < 0) throw new FatalError(`benchmark table ${path} has no "arch" column (columns: ${header.join(', ')})`);
  const columns = header.filter((_, i) => i !== archCol);
  const map = new Map<string, Metrics>();
  rows.forEach((r, i) => {
    const m: Metrics = {};
    header.forEach((h, j) => {
      if (j === archCol) return;
      const v = Number(r[j]);
      if (r[j] === undefined || r[j].trim() === '' || Number.isNaN(v)) {
        throw new FatalError(`${path}:${i + 2}: column "${h}" is not a number: ${JSON.stringify(r[j] ?? '')}`);
      }
      m[h] = v;
    });
    map.set(r[archCol], m);
  });
  const table = { path, columns, rows: map };
  tables.set(path, table);
  return table;
}

class BenchmarkEvaluator implements Evaluator {
  constructor(
    private readonly table: BenchmarkTable,
    private readonly metric: string,
    private readonly reportAs: string,
    private readonly delayMs: number,
  ) {}

  async evaluate(job: { key: string }, ctx: { signal: AbortSignal }): Promise<{ metrics: Metrics }> {
    if (this.delayMs > 0) await sleep(this.delayMs, ctx.signal);
    const row = this.table.rows.get(job.key);
    if (!row) {
      // Deterministic: retrying cannot help.
      throw new TrialError(
        `architecture ${job.key} is not in benchmark table ${this.table.path} (${this.table.rows.size} rows); ` +
          'the search space must match the table (for NAS-Bench-201: space { kind: cell, preset: nb201 })',
        false,
      );
    }
    return { metrics: { ...row, [this.reportAs]: row[this.metric] } };
  }

  /** The table's params / flops / latency columns of a candidate, known before it is "evaluated" (constraints). */
  measure(job: { key: string }): Metrics {
    const row = this.table.rows.get(job.key);
    const out: Metrics = {};
    if (row) for (const c of ['params', 'flops', 'latency']) if (row[c] !== undefined) out[c] = row[c];
    return out;
  }

  async close(): Promise<void> {}
}

export const benchmarkEvaluator: EvaluatorDefinition<BenchmarkOptions> = {
  type: 'benchmark',
  description: 'look candidates up in a CSV table of precomputed results (column `arch` = canonical key)',
  optionsSchema: {
    type: 'object',
    properties: {
      table: {
        type: 'string',
        'x-path': 'file',
        description: 'CSV file with an `arch` column and one column per metric',
      },
      metric: { type: 'string', description: 'the column that measures a candidate' },
      report_as: { type: 'string', default: 'accuracy', description: 'name under which that column is reported' },
      delay_ms: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'simulated evaluation time per candidate (to try schedulers, time budgets and interruption)',
      },
    },
    required: ['table', 'metric'],
    additionalProperties: false,
  },
  metrics: (o) => [...new Set([o.report_as ?? 'accuracy', o.metric, ...tableColumns(o.table)])],
  cellOps: (o) => {
    try {
      return tableOps(loadBenchmarkTable(o.table));
    } catch {
      return undefined; // a table that cannot be read is reported by create()
    }
  },
  async create(options) {
    const table = loadBenchmarkTable(options.table);
    if (!table.columns.includes(options.metric)) {
      throw new FatalError(
        `benchmark table ${options.table} has no column "${options.metric}" (columns: ${table.columns.join(', ')})`,
      );
    }
    return new BenchmarkEvaluator(table, options.metric, options.report_as ?? 'accuracy', options.delay_ms ?? 0);
  },
};

/** The ops of a table's cell architectures (keys |op~0|+|op~0|op~1|...), sorted. */
function tableOps(table: BenchmarkTable): string[] | undefined {
  const ops = new Set<string>();
  for (const key of table.rows.keys()) for (const m of key.matchAll(/\|([^|~]+)~\d+/g)) ops.add(m[1]);
  return ops.size > 0 ? [...ops].sort() : undefined;
}

/** The metric columns of a table, from its header line only (validation); none when it cannot be read. */
function tableColumns(path: string | undefined): string[] {
  if (!path) return [];
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const header = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0];
      return header
        .split(',')
        .map((h) => h.trim().replace(/^"|"$/g, ''))
        .filter((h) => h && h !== 'arch');
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TrialError('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TrialError('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
