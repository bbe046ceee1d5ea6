// Starts `nas dashboard` as a child process on a port the system picks, and opens pages on it in
// headless Chromium through playwright-core (Debian's chromium, via executablePath).

import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { NAS_BIN } from './paths.js';
import { CHROMIUM } from './chromium.js';

export interface RunningDashboard {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDashboardProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDashboard> {
  const child = spawn(process.execPath, [NAS_BIN, 'dashboard', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nas dashboard did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /nas dashboard: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`nas dashboard exited with ${code}: ${err}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
  };
}

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  dialogs: string[];
}

export async function openPage(url: string, viewport = { width: 1400, height: 1000 }): Promise<BrowserPage> {
  if (!CHROMIUM) throw new Error('no chromium (apt-get install -y chromium, or set CHROMIUM=path)');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { browser, page, errors, dialogs };
}
