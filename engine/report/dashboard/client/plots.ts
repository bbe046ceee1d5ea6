/// <reference lib="dom" />
// Charts: uPlot (served from the package) for lines and scatters, a canvas of our own for parallel
// coordinates (uPlot has none). Plots are kept and fed new data with setData, never rebuilt per event.

import type UPlotT from 'uplot';
import { clear, el } from './dom.js';

const UPlot = (globalThis as unknown as { uPlot: typeof UPlotT }).uPlot;

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface LineSpec {
  label: string;
  color?: string;
  dash?: number[];
  points?: boolean;
  width?: number;
}

/** A uPlot line chart that can be fed new data; rebuilt only when its series or axes change. */
export class LinePlot {
  private plot?: UPlotT;
  private signature = '';

  constructor(
    private readonly container: HTMLElement,
    private xLabel: string,
    private yLabel: string,
  ) {}

  set(
    x: number[],
    ys: (number | null)[][],
    series: LineSpec[],
    opts: { logY?: boolean; scatter?: boolean; xLabel?: string; yLabel?: string } = {},
  ): void {
    this.xLabel = opts.xLabel ?? this.xLabel;
    this.yLabel = opts.yLabel ?? this.yLabel;
    const signature = JSON.stringify([series.map((s) => s.label), opts]);
    const data = [x, ...ys] as UPlotT.AlignedData;
    if (this.plot && signature === this.signature) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    clear(this.container);
    this.signature = signature;
    if (x.length === 0) {
      this.container.append(el('p', { class: 'empty' }, 'no data yet'));
      this.plot = undefined;
      this.signature = '';
      return;
    }
    const width = Math.max(300, this.container.clientWidth || 520);
    this.plot = new UPlot(
      {
        width,
        height: 260,
        legend: { show: series.length <= 8 },
        scales: { x: { time: false }, y: opts.logY ? { distr: 3 } : {} },
        axes: [{ label: this.xLabel }, { label: this.yLabel, size: 60 }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: s.color ?? PALETTE[i % PALETTE.length],
            width: s.width ?? 1.5,
            dash: s.dash,
            spanGaps: !opts.scatter,
            ...(opts.scatter
              ? { paths: () => null, points: { show: true, size: 6, fill: s.color ?? PALETTE[i % PALETTE.length] } }
              : {}),
            ...(s.points === false ? { points: { show: false } } : {}),
          })),
        ],
      },
      data,
      this.container,
    );
  }
}

/** Parallel coordinates: one axis per decision and one for the objective, a line per trial coloured by it. */
export function parallelCoordinates(
  canvas: HTMLCanvasElement,
  axes: { name: string; values: string[] }[],
  rows: { values: number[]; objective: number }[],
  objective: string,
  higherIsBetter: boolean,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  canvas.width = Math.max(600, canvas.parentElement?.clientWidth ?? 1100) - 16;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.font = '12px system-ui, sans-serif';
  if (rows.length === 0 || axes.length === 0) {
    ctx.fillStyle = '#777';
    ctx.fillText('no complete trials yet', 20, 30);
    return;
  }
  const n = axes.length + 1;
  const left = 60;
  const right = w - 80;
  const top = 46;
  const bottom = h - 30;
  const xOf = (i: number) => left + ((right - left) * i) / (n - 1);
  const objs = rows.map((r) => r.objective);
  const lo = Math.min(...objs);
  const hi = Math.max(...objs);
  const yObj = (v: number) => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - top);
  const yCat = (j: number, c: number) => {
    const k = axes[j].values.length;
    return k <= 1 ? (top + bottom) / 2 : top + ((bottom - top) * c) / (k - 1);
  };
  // the best last, on top; colour from red (worst) to blue (best)
  const sorted = [...rows].sort((a, b) => (higherIsBetter ? a.objective - b.objective : b.objective - a.objective));
  ctx.globalAlpha = Math.max(0.08, Math.min(0.6, 40 / rows.length));
  for (const r of sorted) {
    const t = (r.objective - lo) / (hi - lo || 1);
    const q = higherIsBetter ? t : 1 - t;
    ctx.strokeStyle = `rgb(${Math.round(220 * (1 - q))}, ${Math.round(80 + 60 * q)}, ${Math.round(60 + 180 * q)})`;
    ctx.beginPath();
    r.values.forEach((c, j) => {
      const y = c < 0 ? bottom + 10 : yCat(j, c);
      if (j === 0) ctx.moveTo(xOf(j), y);
      else ctx.lineTo(xOf(j), y);
    });
    ctx.lineTo(xOf(n - 1), yObj(r.objective));
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#333';
  ctx.fillStyle = '#222';
  axes.forEach((a, j) => {
    ctx.beginPath();
    ctx.moveTo(xOf(j), top);
    ctx.lineTo(xOf(j), bottom);
    ctx.stroke();
    ctx.textAlign = 'center';
    // names alternate between two rows so neighbours do not overlap
    ctx.fillText(a.name, xOf(j), top - (j % 2 ? 10 : 26));
    ctx.textAlign = 'left';
    const room = Math.max(4, Math.floor((right - left) / (n - 1) / 7) - 1);
    a.values.forEach((v, c) =>
      ctx.fillText(v.length > room ? `${v.slice(0, room - 1)}…` : v, xOf(j) + 4, yCat(j, c) + 4),
    );
  });
  ctx.beginPath();
  ctx.moveTo(xOf(n - 1), top);
  ctx.lineTo(xOf(n - 1), bottom);
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.fillText(objective, xOf(n - 1), top - (axes.length % 2 ? 10 : 26));
  ctx.textAlign = 'left';
  ctx.fillText(String(Number(hi.toPrecision(4))), xOf(n - 1) + 4, top + 4);
  ctx.fillText(String(Number(lo.toPrecision(4))), xOf(n - 1) + 4, bottom + 4);
}
