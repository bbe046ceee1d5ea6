// Benchmark `dashboard`: the live dashboard on a store of N trials (default 20,000), measured in
// headless Chromium: the first page's render (ms from navigation start), one SSE update's handling
// in the page (event received -> rows updated and painted) and from the store write to the screen
// (including the server's 50 ms poll), the same under a metric sort (the page re-queried), and the
// plots tab (click -> every plot drawn). The targets are the reference: 2 s and 200 ms.
// Args: --trials N, --repeat R (default 3; a fresh store, server and browser each time).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emit } from './run.js';
import { flag } from './util.js';
import { measureDashboard } from '../helpers/dashboard-scale.js';

export default async function dashboard(emit: Emit, args: string[]): Promise<void> {
  const trials = flag(args, 'trials', 20_000);
  const repeat = flag(args, 'repeat', 3);
  for (let i = 0; i < repeat; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'nas-bench-dashboard-'));
    try {
      const m = await measureDashboard(join(dir, 'big.sqlite'), trials);
      if (m.errors.length) throw new Error(`console errors: ${m.errors.join('; ')}`);
      emit({ figure: 'first_page_ms', trials, repetition: i + 1, value: Math.round(m.firstPageMs), target: 2000 });
      emit({ figure: 'sse_handling_ms', trials, repetition: i + 1, value: Math.round(m.sseHandlingMs), target: 200 });
      emit({
        figure: 'sse_store_to_screen_ms',
        trials,
        repetition: i + 1,
        value: Math.round(m.sseEndToEndMs),
        target: 200,
      });
      const sorted = Math.round(m.sseSortedHandlingMs);
      emit({ figure: 'sse_sorted_by_metric_ms', trials, repetition: i + 1, value: sorted, target: 200 });
      emit({ figure: 'plots_tab_ms', trials, repetition: i + 1, value: m.plotsMs });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
