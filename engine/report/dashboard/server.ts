// nas dashboard: a live, read-only web view of one or more stores, on node:http.
//
// - Live updates by Server-Sent Events (/events); a reconnecting EventSource sends Last-Event-ID and
//   gets the events it missed (or a `reset` when they are gone).
// - Security: loopback by default; any other bind needs a token (NAS_DASHBOARD_TOKEN, or one generated
//   and printed); the token comes as a Bearer header, a cookie set from ?token= on first load, never
//   logged. On loopback, requests must name a loopback Host (no DNS rebinding). Only GET and HEAD.
//   A strict Content-Security-Policy: scripts only from this server, so even a string from the
//   store that slipped into markup could not run; the client also writes every store string as text.
// - Static files come from the package (the compiled client, uPlot from node_modules): no CDN.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { StoreReader } from '../../store/reader.js';
import { ChangeFeed, type FeedEvent } from './feed.js';
import { BadRequest, DashboardApi } from './api.js';

export interface DashboardOptions {
  stores: string[];
  host?: string;
  port?: number;
  /** Required unless `host` is loopback. */
  token?: string;
  pollMs?: number;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

export class DashboardError extends Error {
  override readonly name = 'DashboardError';
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Files served, by URL path: the page, the compiled client modules and uPlot. */
function staticFiles(): Map<string, { file: string; type: string }> {
  const uplot = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const js = 'text/javascript; charset=utf-8';
  const src = join(sourceDir(), 'client');
  return new Map([
    ['/', { file: join(src, 'index.html'), type: 'text/html; charset=utf-8' }],
    ['/app.css', { file: join(src, 'app.css'), type: 'text/css; charset=utf-8' }],
    ...['app', 'dom', 'plots'].map((m) => [`/${m}.js`, { file: join(here, 'client', `${m}.js`), type: js }] as const),
    ['/vendor/uPlot.iife.min.js', { file: join(uplot, 'uPlot.iife.min.js'), type: js }],
    ['/vendor/uPlot.min.css', { file: join(uplot, 'uPlot.min.css'), type: 'text/css; charset=utf-8' }],
  ]);
}

/** The page and its styles are source files (not compiled): found beside the source of this module. */
function sourceDir(): string {
  // dist/engine/report/dashboard -> engine/report/dashboard
  return join(here, '..', '..', '..', '..', 'engine', 'report', 'dashboard');
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  if (!loopback && !o.token)
    throw new DashboardError(
      `--host ${host} is not loopback: the dashboard would be open to the network without a token; set NAS_DASHBOARD_TOKEN or add --new-token`,
    );
  if (o.stores.length === 0) throw new DashboardError('no store to show');
  const readers = o.stores.map((p) => new StoreReader(p));
  const feed = new ChangeFeed(readers);
  feed.start(o.pollMs ?? 50);
  const api = new DashboardApi(readers);
  const files = staticFiles();
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let b = cache.get(file);
    if (!b) {
      b = readFileSync(file);
      cache.set(file, b);
    }
    return b;
  };
  const token = o.token ? Buffer.from(o.token) : undefined;
  const clients = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      const bad = e instanceof BadRequest;
      send(res, bad ? 400 : 500, 'text/plain; charset=utf-8', bad ? (e as Error).message : 'internal error');
      if (!bad) process.stderr.write(`nas dashboard: ${(e as Error).stack ?? String(e)}\n`);
    }
  });

  function authorised(req: IncomingMessage, url: URL): 'ok' | 'cookie' | 'no' {
    if (!token) return 'ok';
    const given = [
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
      /(?:^|;\s*)nas_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1],
    ];
    if (given.some((g) => g !== undefined && same(Buffer.from(decodeURIComponent(g)), token))) return 'ok';
    const q = url.searchParams.get('token');
    if (q !== null && same(Buffer.from(q), token)) return 'cookie';
    return 'no';
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'read-only: only GET and HEAD');
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (loopback && !isLoopback(hostHeader)) return send(res, 421, 'text/plain; charset=utf-8', 'bad Host header');
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const auth = authorised(req, url);
    if (auth === 'no') {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return send(res, 401, 'text/plain; charset=utf-8', 'token required (open the URL printed by nas dashboard)');
    }
    if (auth === 'cookie') {
      // keep the token out of the address bar and history: set it as a cookie and reload without it
      url.searchParams.delete('token');
      res.setHeader('Set-Cookie', `nas_token=${encodeURIComponent(o.token!)}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(303, { Location: url.pathname + url.search });
      res.end();
      return;
    }
    const q = url.searchParams;
    const json = (v: unknown) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(v));
    switch (url.pathname) {
      case '/api/stores':
        return json(api.stores());
      case '/api/runs':
        return json(api.runs());
      case '/api/trials':
        return json(api.trials(q));
      case '/api/trials.csv':
        res.setHeader('Content-Disposition', `attachment; filename="trials-run${q.get('run') ?? ''}.csv"`);
        return send(res, 200, 'text/csv; charset=utf-8', api.csv(q));
      case '/api/trial':
        return json(api.trial(q));
      case '/api/series':
        return json(api.series(q));
      case '/api/curves':
        return json(api.curves(q));
      case '/api/explain':
        return json(api.explain(q));
      case '/events':
        return events(req, res);
      case '/favicon.ico':
        res.writeHead(204);
        res.end();
        return;
    }
    const f = files.get(url.pathname);
    if (!f) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    res.setHeader('Cache-Control', 'no-cache');
    send(res, 200, f.type, read(f.file));
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    const write = (e: FeedEvent) =>
      res.write(`id: ${feed.instance}-${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    const last = req.headers['last-event-id'];
    if (typeof last === 'string' && last !== '') {
      const missed = feed.since(last);
      if (missed === null) res.write(`id: ${feed.lastId()}\nevent: reset\ndata: {}\n\n`);
      else for (const e of missed) write(e);
    } else res.write(`id: ${feed.lastId()}\nevent: hello\ndata: {}\n\n`);
    const unsubscribe = feed.subscribe(write);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    clients.add(res);
    req.on('close', () => {
      unsubscribe();
      clearInterval(ping);
      clients.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new DashboardError(`cannot listen on ${host}:${o.port ?? 0}: ${e.code ?? e.message}`)),
    );
    server.listen(o.port ?? 0, host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    async close() {
      feed.stop();
      for (const c of clients) c.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections(); // idle keep-alive sockets too, or close waits for their timeout
      await closed;
      for (const r of readers) r.close();
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
