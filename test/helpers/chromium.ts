// Drives headless Chromium over the DevTools protocol: load a page, collect console errors and
// uncaught exceptions, evaluate an expression in it, take a full-page screenshot.
//
// Node 20 has a browser-style WebSocket only behind --experimental-websocket, so this module runs as
// its own process:  node --experimental-websocket chromium.js URL SCREENSHOT EXPRESSION
// and prints one JSON line: { errors: string[], value: unknown, screenshot: string }.
// `inspectPage` (below) spawns it that way from a test.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM =
  process.env.CHROMIUM ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export interface PageResult {
  errors: string[];
  value: unknown;
  screenshot: string;
}

/** Loads `url` in headless Chromium (a child process with WebSocket enabled); see the module comment. */
export function inspectPage(url: string, screenshot: string, expression: string, timeoutMs = 60_000): PageResult {
  const r = spawnSync(
    process.execPath,
    ['--experimental-websocket', '--no-warnings', fileURLToPath(import.meta.url), url, screenshot, expression],
    {
      encoding: 'utf8',
      timeout: timeoutMs,
    },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{'))
    throw new Error(`chromium driver failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(last) as PageResult;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: { message: string };
  sessionId?: string;
}

async function main(url: string, screenshot: string, expression: string): Promise<void> {
  if (!CHROMIUM) throw new Error('no chromium found (set CHROMIUM)');
  const profile = mkdtempSync(join(tmpdir(), 'nas-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    'about:blank',
  ];
  const browser = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  browser.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const portFile = join(profile, 'DevToolsActivePort');
    const t0 = Date.now();
    while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
      if (Date.now() - t0 > 30_000 || browser.exitCode !== null)
        throw new Error(`chromium did not start: ${stderr.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [port, path] = readFileSync(portFile, 'utf8').split('\n');
    const ws = new (globalThis as any).WebSocket(`ws://127.0.0.1:${port.trim()}${path.trim()}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('cannot connect to chromium'));
    });
    let nextId = 1;
    const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
    const listeners: ((m: Message) => void)[] = [];
    ws.onmessage = (ev: { data: string }) => {
      const m = JSON.parse(ev.data) as Message;
      if (m.id !== undefined && pending.has(m.id)) {
        const p = pending.get(m.id)!;
        pending.delete(m.id);
        if (m.error) p.reject(new Error(m.error.message));
        else p.resolve(m.result ?? {});
      } else for (const l of listeners) l(m);
    };
    const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      });
    const errors: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((r) => (loaded = r));
    listeners.push((m) => {
      if (m.method === 'Runtime.consoleAPICalled' && (m.params?.type === 'error' || m.params?.type === 'assert')) {
        errors.push(
          `console.${m.params.type}: ${(m.params.args ?? []).map((a: any) => a.value ?? a.description ?? '').join(' ')}`,
        );
      } else if (m.method === 'Runtime.exceptionThrown') {
        errors.push(
          `exception: ${m.params?.exceptionDetails?.exception?.description ?? m.params?.exceptionDetails?.text}`,
        );
      } else if (m.method === 'Log.entryAdded' && m.params?.entry?.level === 'error') {
        errors.push(`log: ${m.params.entry.text} ${m.params.entry.url ?? ''}`.trim());
      } else if (m.method === 'Page.loadEventFired') loaded();
    });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    for (const domain of ['Runtime', 'Log', 'Page']) await send(`${domain}.enable`, {}, sessionId);
    await send(
      'Emulation.setDeviceMetricsOverride',
      { width: 1200, height: 900, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    await send('Page.navigate', { url }, sessionId);
    await Promise.race([
      load,
      new Promise((_, reject) => setTimeout(() => reject(new Error('page load timed out')), 30_000)),
    ]);
    await new Promise((r) => setTimeout(r, 200)); // late console messages
    const evaluated = await send(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      sessionId,
    );
    if (evaluated.exceptionDetails)
      errors.push(`evaluate: ${evaluated.exceptionDetails.exception?.description ?? evaluated.exceptionDetails.text}`);
    const size = await send(
      'Runtime.evaluate',
      { expression: 'document.documentElement.scrollHeight', returnByValue: true },
      sessionId,
    );
    await send(
      'Emulation.setDeviceMetricsOverride',
      { width: 1200, height: Math.min(8000, Number(size.result?.value) || 900), deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
    mkdirSync(dirname(screenshot), { recursive: true });
    writeFileSync(screenshot, Buffer.from(shot.data as string, 'base64'));
    await send('Browser.close').catch(() => undefined);
    ws.close();
    process.stdout.write(JSON.stringify({ errors, value: evaluated.result?.value, screenshot }) + '\n');
  } finally {
    if (browser.exitCode === null) browser.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [url, screenshot, expression] = process.argv.slice(2);
  main(url, screenshot, expression).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
