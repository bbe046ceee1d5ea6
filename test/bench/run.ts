// npm run bench [-- NAME [ARGS...]]: runs every benchmark, or one. Each prints one JSON line per
// figure with a `bench` field; ratios are taken against a reference measured in the same run.

const BENCHES = [
  'overhead',
  'nb201',
  'train-speed',
  'train-speed-sequence',
  'spam',
  'meta',
  'pool-scaling',
  'core-sharing',
  'darts',
  'schedule',
  'dashboard',
  'scale-out',
  'enas',
  'spos',
  'baselines',
];

export type Emit = (line: Record<string, unknown>) => void;
type BenchModule = { default: (emit: Emit, args: string[]) => Promise<void> };

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name && !BENCHES.includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${BENCHES.join(', ')}\n`);
    return 2;
  }
  let failed = false;
  for (const bench of name ? [name] : BENCHES) {
    const emit: Emit = (line) => process.stdout.write(JSON.stringify({ bench, ...line }) + '\n');
    try {
      const mod = (await import(`./${bench}.js`)) as BenchModule;
      await mod.default(emit, args);
    } catch (e) {
      failed = true;
      emit({ error: (e as Error).stack ?? String(e) });
    }
  }
  return failed ? 1 : 0;
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
