// nas dashboard [--store PATH ...] [--port N] [--host H] [--new-token]: serves the live dashboard
// until Ctrl-C. Parses its own flags (repeated --store, --port, --host), so main.ts only routes here.

import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { DashboardError, isLoopback, startDashboard } from '../report/dashboard/server.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';

export async function dashboardCommand(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string', multiple: true },
      port: { type: 'string' },
      host: { type: 'string' },
      'new-token': { type: 'boolean' },
    },
  });
  const given = [...(values.store ?? []), ...positionals];
  for (const p of given) if (!existsSync(resolve(p))) throw new UsageError(`store ${p} does not exist`);
  const stores = given.length ? given.map((p) => resolve(p)) : [locateStore(undefined)];
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be an integer in 0..65535 (0: any free port), got "${values.port}"`);
  const host = values.host ?? '127.0.0.1';
  const token =
    process.env.NAS_DASHBOARD_TOKEN || (values['new-token'] ? randomBytes(18).toString('base64url') : undefined);
  let dash;
  try {
    dash = await startDashboard({ stores, host, port, ...(token ? { token } : {}) });
  } catch (e) {
    if (e instanceof DashboardError) throw new UsageError(e.message);
    throw e;
  }
  // with a token, the printed URL carries it once; the page then keeps it in a cookie
  const shown = token ? `${dash.url}?token=${encodeURIComponent(token)}` : dash.url;
  line(io.stdout, `nas dashboard: ${shown}`);
  line(io.stdout, `  ${stores.length} store${stores.length > 1 ? 's' : ''}: ${stores.join(', ')}`);
  if (!isLoopback(host)) line(io.stdout, `  listening on ${host}: anyone who has the token can read these stores`);
  line(io.stdout, '  read-only; Ctrl-C stops it');
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await dash.close();
  return 0;
}
