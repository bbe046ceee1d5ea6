// nas report: a self-contained HTML page and a Markdown summary of a run.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRow, Store } from '../store/store.js';
import { collectReport, type ReportData } from './data.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export { collectReport, opFrequencies, opsOf, type ReportData } from './data.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';

/** Writes report.html and report.md for `run` into `dir`; returns their paths. */
export function writeReport(
  store: Store,
  run: RunRow,
  dir: string,
): { html: string; markdown: string; data: ReportData } {
  const data = collectReport(store, run);
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'report.html');
  const markdown = join(dir, 'report.md');
  writeFileSync(html, renderHtml(data));
  writeFileSync(markdown, renderMarkdown(data));
  return { html, markdown, data };
}
