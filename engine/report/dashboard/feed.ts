// The dashboard's change feed: polls each store (PRAGMA data_version, a few microseconds) and turns
// what changed into numbered events. Events are kept in a ring buffer, so a client that reconnects
// with Last-Event-ID gets exactly the events it missed; one whose id is too old, or from an earlier
// server, gets a `reset` and reloads its data.

import { randomBytes } from 'node:crypto';
import type { StoreReader, TrialRow } from '../../store/reader.js';
import { archSummary } from '../format.js';

/** A trial as the client lists and plots it (the full record is fetched on click). */
export interface TrialSummary {
  store: number;
  run: number;
  stage: string;
  number: number;
  state: string;
  metrics: Record<string, number>;
  startedAt: number;
  finishedAt: number | null;
  arch: string;
  /** Last epoch reported while it runs (or the curve's length). */
  steps: number;
}

export function summarise(store: number, run: number, t: TrialRow): TrialSummary {
  return {
    store,
    run,
    stage: t.stage,
    number: t.number,
    state: t.state,
    metrics: t.metrics,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt ?? null,
    arch: archSummary(t.arch, 60),
    steps: t.curve?.length ?? 0,
  };
}

export type FeedEvent = { id: number; type: 'trials'; trials: TrialSummary[] } | { id: number; type: 'runs' };

/** Seconds of history re-read on every change: a trial's timestamps are taken before its commit. */
const LOOKBACK_MS = 10_000;

export class ChangeFeed {
  /** Identifies this server in event ids, so ids of an earlier server are not mistaken for ours. */
  readonly instance = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly buffer: FeedEvent[] = [];
  private readonly versions: number[];
  private readonly seen: Map<string, string>[];
  private readonly runStamps: string[];
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly readers: StoreReader[],
    private readonly capacity = 5000,
  ) {
    this.versions = readers.map((r) => r.dataVersion());
    this.seen = readers.map(() => new Map());
    this.runStamps = readers.map((r) => runStamp(r));
    // what exists now is the starting state, not news
    readers.forEach((r, i) => {
      for (const t of r.changedSince(0)) this.seen[i].set(idOf(t.runId, t), stampOf(t));
    });
  }

  start(intervalMs = 50): void {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** `${instance}-${seq}` of the latest event. */
  lastId(): string {
    return `${this.instance}-${this.seq}`;
  }

  /** The events after `lastEventId`, or null when they are no longer known (the client must reload). */
  since(lastEventId: string): FeedEvent[] | null {
    const [instance, n] = lastEventId.split('-');
    const seq = Number(n);
    if (instance !== this.instance || !Number.isInteger(seq) || seq > this.seq) return null;
    if (seq === this.seq) return [];
    const first = this.buffer[0]?.id ?? this.seq + 1;
    if (seq + 1 < first) return null;
    return this.buffer.filter((e) => e.id > seq);
  }

  poll(now = Date.now()): void {
    this.readers.forEach((reader, i) => {
      const v = reader.dataVersion();
      if (v === this.versions[i]) return;
      this.versions[i] = v;
      const changed: TrialSummary[] = [];
      for (const t of reader.changedSince(now - LOOKBACK_MS)) {
        const id = idOf(t.runId, t);
        const stamp = stampOf(t);
        if (this.seen[i].get(id) === stamp) continue;
        this.seen[i].set(id, stamp);
        changed.push(summarise(i, t.runId, t));
      }
      if (changed.length) this.emit({ id: 0, type: 'trials', trials: changed });
      const runs = runStamp(reader);
      if (runs !== this.runStamps[i]) {
        this.runStamps[i] = runs;
        this.emit({ id: 0, type: 'runs' });
      }
    });
  }

  private emit(e: FeedEvent): void {
    e.id = ++this.seq;
    this.buffer.push(e);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const l of this.listeners) l(e);
  }
}

function idOf(run: number, t: TrialRow): string {
  return `${run}\0${t.stage}\0${t.number}`;
}

function stampOf(t: TrialRow): string {
  return `${t.state}:${t.finishedAt ?? ''}:${t.curve?.length ?? 0}`;
}

/** Changes when a run is added or its status, budget or time changes. */
function runStamp(r: StoreReader): string {
  return r
    .runs()
    .map((x) => `${x.id}:${x.status}:${x.updatedAt}`)
    .join(',');
}
