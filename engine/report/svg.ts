// Tiny SVG charts for the report: line, step and scatter series on linear or log axes, with ticks,
// labels, a legend and <title> tooltips. Pure string building: no DOM, no dependencies.

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number; label?: string }[];
  kind: 'line' | 'step' | 'scatter';
  /** Scatter dot radius (default 3.5). */
  r?: number;
  dashed?: boolean;
}

export interface ChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  xLog?: boolean;
}

export const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round, readable tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function chart(o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { l: 62, r: 16, t: 30, b: 46 };
  const pts = o.series
    .flatMap((s) => s.points)
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.xLog || p.x > 0));
  const n = pts.length;
  if (n === 0) {
    return (
      `<svg class="plot" data-plot="${esc(o.id)}" data-points="0" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><title>${esc(o.title)}</title>` +
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty">no data</text></svg>`
    );
  }
  const tx = (x: number) => (o.xLog ? Math.log10(x) : x);
  let [x0, x1] = [Math.min(...pts.map((p) => tx(p.x))), Math.max(...pts.map((p) => tx(p.x)))];
  let [y0, y1] = [Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0) * 0.05 - 1e-9, y1 + Math.abs(y1) * 0.05 + 1e-9];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<svg class="plot" data-plot="${esc(o.id)}" data-points="${n}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg">`,
  );
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(`<text x="${m.l}" y="18" class="ptitle">${esc(o.title)}</text>`);
  // axes and ticks
  const xt = o.xLog ? logTicks(x0, x1) : niceTicks(x0, x1).map((v) => ({ v, at: v }));
  for (const t of xt) {
    const X = m.l + ((t.at - x0) / (x1 - x0)) * (W - m.l - m.r);
    parts.push(`<line x1="${X.toFixed(1)}" x2="${X.toFixed(1)}" y1="${m.t}" y2="${H - m.b}" class="grid"/>`);
    parts.push(`<text x="${X.toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" class="tick">${fmtNum(t.v)}</text>`);
  }
  for (const v of niceTicks(y0, y1)) {
    const Y = py(v);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y.toFixed(1)}" y2="${Y.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(Y + 4).toFixed(1)}" text-anchor="end" class="tick">${fmtNum(v)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" class="frame"/>`);
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" class="axis">${esc(o.xLabel)}${o.xLog ? ' (log)' : ''}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(o.yLabel)}</text>`,
  );
  // series
  for (const s of o.series) {
    const ps = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.xLog || p.x > 0));
    if (ps.length === 0) continue;
    if (s.kind === 'scatter') {
      parts.push(`<g class="series" data-series="${esc(s.name)}">`);
      for (const p of ps) {
        parts.push(
          `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${s.r ?? 3.5}" fill="${s.color}" fill-opacity="0.75"><title>${esc(p.label ?? `${fmtNum(p.x)}, ${fmtNum(p.y)}`)}</title></circle>`,
        );
      }
      parts.push('</g>');
    } else {
      let d = '';
      ps.forEach((p, i) => {
        const X = px(p.x).toFixed(1);
        const Y = py(p.y).toFixed(1);
        if (i === 0) d += `M${X},${Y}`;
        else if (s.kind === 'step') d += `H${X}V${Y}`;
        else d += `L${X},${Y}`;
      });
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} class="series" data-series="${esc(s.name)}"><title>${esc(s.name)}</title></path>`,
      );
      if (ps.length <= 60)
        for (const p of ps)
          parts.push(
            `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2" fill="${s.color}"><title>${esc(p.label ?? `${s.name}: ${fmtNum(p.x)}, ${fmtNum(p.y)}`)}</title></circle>`,
          );
    }
  }
  // legend
  const named = o.series.filter((s) => s.name && s.points.length > 0);
  if (named.length > 1 || (named.length === 1 && o.series.length > 1)) {
    let x = m.l + 8;
    const y = m.t + 12;
    for (const s of named.slice(0, 8)) {
      parts.push(
        `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="${y + 1}" class="legend">${esc(s.name)}</text>`,
      );
      x += 24 + s.name.length * 6.5;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

function logTicks(lo: number, hi: number): { v: number; at: number }[] {
  const out: { v: number; at: number }[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const mult of hi - lo < 1.5 ? [1, 2, 5] : [1]) {
      const at = e + Math.log10(mult);
      if (at >= lo - 1e-9 && at <= hi + 1e-9) out.push({ v: mult * 10 ** e, at });
    }
  }
  return out;
}

/** Horizontal bar pairs (e.g. frequency among the best vs among all). */
export function bars(o: {
  id: string;
  title: string;
  rows: { label: string; values: number[] }[];
  names: string[];
  width?: number;
}): string {
  const W = o.width ?? 560;
  const rowH = 10 * o.names.length + 8;
  const m = { l: 170, r: 50, t: 40, b: 10 };
  const H = m.t + m.b + rowH * o.rows.length;
  const max = Math.max(1e-9, ...o.rows.flatMap((r) => r.values));
  const n = o.rows.reduce((s, r) => s + r.values.filter((v) => v > 0).length, 0);
  const parts = [
    `<svg class="plot" data-plot="${esc(o.id)}" data-points="${n}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg"><title>${esc(o.title)}</title>`,
  ];
  parts.push(`<text x="8" y="18" class="ptitle">${esc(o.title)}</text>`);
  let x = m.l;
  o.names.forEach((name, k) => {
    parts.push(
      `<rect x="${x}" y="24" width="10" height="10" fill="${PALETTE[k]}"/><text x="${x + 14}" y="33" class="legend">${esc(name)}</text>`,
    );
    x += 30 + name.length * 6.5;
  });
  o.rows.forEach((r, i) => {
    const y = m.t + i * rowH;
    parts.push(`<text x="${m.l - 6}" y="${y + rowH / 2 + 3}" text-anchor="end" class="tick">${esc(r.label)}</text>`);
    r.values.forEach((v, k) => {
      const w = (v / max) * (W - m.l - m.r);
      parts.push(
        `<rect x="${m.l}" y="${y + 2 + k * 10}" width="${w.toFixed(1)}" height="9" fill="${PALETTE[k]}"><title>${esc(`${r.label} (${o.names[k]}): ${(v * 100).toFixed(1)}%`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(m.l + w + 4).toFixed(1)}" y="${y + 10 + k * 10}" class="tick">${(v * 100).toFixed(0)}%</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
