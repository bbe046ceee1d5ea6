// Formatting for terminals and the dashboard: numbers people can read (4 significant digits, 12.7k / 1.2M for counts),
// a short summary of an architecture, and aligned tables. Exact values and full keys stay in --json.
// Written here rather than taken from a table package: padding columns is a few lines, and the
// packages (cli-table3, columnify) add borders or wrapping we do not want in piped output.

import type { Json, Metrics } from '../core/types.js';

/** Metrics that count things (params, FLOPs, MACs): shown as 12.7k, 1.2M. */
const COUNT_METRIC = /^(params|flops|macs|mac|parameters|size)(_|$)/i;

/** A number to 4 significant digits, without exponent for everyday magnitudes. */
export function sig(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e9) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1);
}

/** A count as 950, 12.7k, 1.2M, 3.4G (3 significant digits). */
export function compact(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  const a = Math.abs(v);
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) if (a >= scale) return `${Number((v / scale).toPrecision(3))}${unit}`;
  return String(Number(v.toPrecision(3)));
}

/** A metric's value as shown in a table: counts compact, the rest to 4 significant digits. */
export function metricText(name: string, v: number | null | undefined): string {
  return COUNT_METRIC.test(name) ? compact(v) : sig(v);
}

/** Seconds as 42s, 3m05s, 1h02m. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const OP_SHORT: Record<string, string> = {
  none: 'none',
  skip_connect: 'skip',
  nor_conv_1x1: 'c1',
  nor_conv_3x3: 'c3',
  avg_pool_3x3: 'avg',
  max_pool_3x3: 'max',
  conv2d: 'conv',
  separable_conv2d: 'sep',
  depthwise_conv2d: 'dw',
  max_pool: 'maxpool',
  avg_pool: 'avgpool',
  batch_norm: 'bn',
  dropout: 'drop',
  dense: 'dense',
};

const HYPER_SHORT: Record<string, string> = { learning_rate: 'lr', batch_size: 'bs', optimizer: 'opt' };

/**
 * A short, readable summary of an architecture: a cell's ops grouped by target node
 * (`c3 | c3 avg | skip c3 skip`), a chain's layers (`conv16k3 > maxpool2 > dense64 lr=0.001 bs=32`).
 * Anything else: its JSON. Cut to `max` characters with an ellipsis.
 */
export function archSummary(arch: Json, max = 48): string {
  return clip(summary(arch), max);
}

function summary(arch: Json): string {
  if (!arch || typeof arch !== 'object' || Array.isArray(arch)) return JSON.stringify(arch);
  const a = arch as Record<string, Json>;
  if (Array.isArray(a.ops)) {
    const ops = a.ops.map((o) => OP_SHORT[String(o)] ?? String(o));
    // edges in NB201 order: node 1 has 1 input, node 2 has 2, node 3 has 3 ...
    const groups: string[] = [];
    for (let node = 1, i = 0; i < ops.length; node++) {
      groups.push(ops.slice(i, i + node).join(' '));
      i += node;
    }
    return groups.join(' | ');
  }
  if (Array.isArray(a.layers)) {
    const layers = a.layers.map((l) => layerText((l ?? {}) as Record<string, Json>)).join(' > ');
    const hyper = Object.entries((a.hyper ?? {}) as Record<string, Json>)
      .map(([k, v]) => `${HYPER_SHORT[k] ?? k}=${typeof v === 'number' ? sig(v) : String(v)}`)
      .join(' ');
    return hyper ? `${layers} ${hyper}` : layers;
  }
  if (a.supernet !== undefined) return 'supernet';
  return JSON.stringify(arch);
}

function layerText(l: Record<string, Json>): string {
  const type = String(l.type);
  const name = OP_SHORT[type] ?? type;
  const size = l.filters ?? l.units ?? l.size ?? l.rate;
  const kernel = l.kernel !== undefined ? `k${String(l.kernel)}` : '';
  return `${name}${size === undefined ? '' : String(size)}${kernel}`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** Metric names in display order: the objectives first, then the rest alphabetically. */
export function metricColumns(rows: Metrics[], first: string[]): string[] {
  const all = new Set<string>();
  for (const m of rows) for (const k of Object.keys(m)) all.add(k);
  const lead = first.filter((k, i) => all.has(k) && first.indexOf(k) === i);
  return [...lead, ...[...all].filter((k) => !lead.includes(k)).sort()];
}

export type Align = 'left' | 'right';

/**
 * Rows of cells as aligned text: columns two spaces apart, numbers right-aligned (a column is
 * numeric when every non-empty cell of it looks like a number), no trailing spaces.
 */
export function table(header: string[], rows: string[][], align?: Align[]): string[] {
  const looksNumeric = (c: string) => c === '-' || /^[-+]?[\d.]+(e[-+]?\d+)?[kMG%s]?$/.test(c);
  const aligns =
    align ?? header.map((_, i) => (rows.length > 0 && rows.every((r) => looksNumeric(r[i] ?? '')) ? 'right' : 'left'));
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const fmt = (cells: string[]) =>
    header
      .map((_, i) => {
        const c = cells[i] ?? '';
        const pad = ' '.repeat(widths[i] - width(c));
        return aligns[i] === 'right' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

/** Display width: code points (the ellipsis and arrows are one column each). */
function width(s: string): number {
  return [...s].length;
}
