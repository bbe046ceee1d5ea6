// The dashboard's change feed over HTTP: Server-Sent Events with ids; a client that reconnects with
// Last-Event-ID gets exactly the events it missed; an unknown id gets `reset`. The store is read
// through a read-only connection while another connection writes it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratch } from './helpers/paths.js';
import { buildFixtureStore } from './helpers/fixture-store.js';
import { FIXTURES } from './helpers/paths.js';
import { startDashboard } from '../engine/report/dashboard/server.js';
import type { Store } from '../engine/store/store.js';

const dir = scratch('dashboard-feed');
const path = join(dir, 'feed.sqlite');

interface Sse {
  id: string;
  event: string;
  data: string;
}

/** Reads events from /events until `count` have come (or `ms` pass), then disconnects. */
async function readEvents(url: string, count: number, lastEventId?: string, ms = 5000): Promise<Sse[]> {
  const ac = new AbortController();
  const r = await fetch(`${url}events`, {
    signal: ac.signal,
    headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
  });
  assert.is(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = r.body!.getReader();
  const out: Sse[] = [];
  let buf = '';
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(block)?.[1] ?? '';
        if (f('event')) out.push({ id: f('id'), event: f('event'), data: f('data') });
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return out;
}

function addTrial(store: Store, number: number): void {
  store.insertTrial(2, '', {
    number,
    key: `k${number}`,
    arch: { layers: [], hyper: {} },
    state: 'complete',
    metrics: { accuracy: 0.5, params: 1000 + number },
    seed: number,
    attempts: 1,
    startedAt: Date.now(),
    finishedAt: Date.now(),
  });
}

test('SSE: events carry ids; reconnecting with Last-Event-ID replays what was missed; unknown ids reset', async () => {
  const writer = buildFixtureStore(join(FIXTURES, 'tables', 'store.json'), path);
  const dash = await startDashboard({ stores: [path], pollMs: 20 });
  try {
    const [hello] = await readEvents(dash.url, 1);
    assert.is(hello.event, 'hello');
    const pending = readEvents(dash.url, 1, hello.id);
    await new Promise((r) => setTimeout(r, 100));
    addTrial(writer, 10);
    const got = await pending;
    const first = got.find((e) => e.event === 'trials')!;
    assert.ok(first, JSON.stringify(got));
    const trials = (
      JSON.parse(first.data) as { trials: { number: number; run: number; metrics: Record<string, number> }[] }
    ).trials;
    assert.equal(
      trials.map((t) => [t.run, t.number, t.metrics.params]),
      [[2, 10, 1010]],
    );
    // disconnected now: two more trials are written, one poll apart
    addTrial(writer, 11);
    await new Promise((r) => setTimeout(r, 100));
    addTrial(writer, 12);
    await new Promise((r) => setTimeout(r, 100));
    const missed = await readEvents(dash.url, 2, first.id);
    const numbers = missed
      .filter((e) => e.event === 'trials')
      .flatMap((e) => (JSON.parse(e.data) as { trials: { number: number }[] }).trials.map((t) => t.number));
    assert.equal(numbers, [11, 12], 'exactly the missed trials, in order');
    const ids = missed.map((e) => Number(e.id.split('-')[1]));
    assert.ok(ids.every((id, i) => id > Number(first.id.split('-')[1]) && (i === 0 || id > ids[i - 1])));
    const [reset] = await readEvents(dash.url, 1, 'deadbeef-3');
    assert.is(reset.event, 'reset', 'an id from another server');
  } finally {
    await dash.close();
    writer.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
