// A private redis-server per test file (child process on a free loopback port, no persistence), and
// `nas` processes (workers, coordinators) whose stderr is collected so tests can wait on log lines.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { NAS_BIN } from './paths.js';

/** Whether redis-server is installed. Outside CI a test file without it skips with a message; in CI it fails. */
export function redisInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `ok()` holds, polling every 50 ms; rejects with `what` after `timeoutMs` (generous: a `nas`
 *  process takes 1 s to start here when the machine is idle and 20 s when it is shared and loaded). */
export async function waitFor(ok: () => boolean, what: string, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = tcpConnect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    for (let i = 0; ; i++) {
      const s = new RedisServer(await freePort());
      try {
        await s.up();
        return s;
      } catch (e) {
        if (i >= 3) throw e; // the port was taken between freePort() and redis-server: try another
      }
    }
  }

  /** Starts redis-server on this.port (again, after stop(): a restart that keeps the url). */
  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    let exited = false;
    child.once('exit', () => (exited = true));
    const end = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (exited || Date.now() > end) throw new Error(`redis-server did not start on port ${this.port}`);
      await sleep(30);
    }
  }

  /** Stops the server; all its data is gone (no persistence). */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
}

const spawned = new Set<ChildProcess>();
/** Kills every `nas` process a test started and left running (a failed assertion skips its stop()). */
export function killAll(): void {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** A `nas` child process with its stderr (log lines) and stdout collected. */
export class NasProcess {
  readonly child: ChildProcess;
  stderr = '';
  stdout = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [NAS_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    spawned.add(this.child);
  }

  static worker(url: string, queue: string, extra: string[] = []): NasProcess {
    // a short lock, so a dead worker's job is retried within seconds (3 s: 2 s saw spurious stalls on a busy machine)
    return new NasProcess(['worker', '--redis', url, '--queue', queue, '--lock', '3', ...extra]);
  }

  lines(re: RegExp): RegExpMatchArray[] {
    return [...this.stderr.matchAll(new RegExp(re.source, 'gm'))];
  }

  async ready(): Promise<void> {
    await waitFor(() => /serving queue/.test(this.stderr) || this.child.exitCode !== null, 'a worker to start');
    if (this.child.exitCode !== null) throw new Error(`nas exited early: ${this.stderr}`);
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }
}

/** Job ids a set of workers started, with how often each was started. */
export function startsPerJob(workers: NasProcess[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of workers)
    for (const [, id] of w.lines(/job (\S+) trial \d+ key .* started/)) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}
