// The reference for workflows/spam.yaml: TF-IDF words + logistic regression (scikit-learn) on the
// workflow's own stratified split (the same seed and validation fraction, so the same messages),
// and, with --store PATH (a store that ran workflows/spam.yaml), the search's best trial beside it.
// Prints the baseline only when /usr/bin/python3 has scikit-learn (apt-get install -y python3-sklearn).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deriveSeed } from '../../engine/core/rng.js';
import { Store } from '../../engine/store/store.js';
import { loadDataset, splitDataset } from '../../engine/training/datasets/index.js';
import { tokenize } from '../../engine/training/datasets/tokenizer.js';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { PYTHON, pythonHas, repoRoot } from './util.js';

type Emit = (line: Record<string, unknown>) => void;

// sublinear tf, words and word bigrams of the whole text, and the exact tokens the workflow's models
// see (its tokenizer, its cut); C from a small grid on the training part only (5-fold)
const SCRIPT = `
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
import sklearn
d = json.load(open(sys.argv[1]))
same = lambda tokens: tokens  # the workflow's own tokens, already split
for name, vec, key in [("tfidf-words", TfidfVectorizer(sublinear_tf=True), "x"),
                       ("tfidf-words-bigrams", TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2), "x"),
                       ("tfidf-workflow-tokens", TfidfVectorizer(sublinear_tf=True, analyzer=same), "tokens")]:
    pipe = make_pipeline(vec, LogisticRegression(max_iter=2000))
    grid = GridSearchCV(pipe, {"logisticregression__C": [1, 10, 100]}, cv=5)
    grid.fit(d["train_" + key], d["train_y"])
    acc = grid.score(d["val_" + key], d["val_y"])
    print(json.dumps({"model": name, "C": grid.best_params_["logisticregression__C"], "accuracy": acc, "sklearn": sklearn.__version__}), flush=True)
`;

export default async function run(emit: Emit, args: string[]): Promise<void> {
  const wf = loadWorkflow(join(repoRoot(), 'workflows', 'spam.yaml'));
  const dataset = wf.dataset!;
  const ds = loadDataset(dataset, undefined, { seed: deriveSeed(wf.seed, 'dataset') });
  const split = splitDataset(ds, dataset.split.validation, deriveSeed(deriveSeed(wf.seed, 'dataset'), 'dataset.split'));
  // the tokens the workflow's models see: its tokenizer's settings, cut as its encoder cuts them
  const tokens = (t: string) => {
    const all = tokenize(t, dataset.tokenizer!);
    const n = dataset.tokenizer!.length;
    return dataset.tokenizer!.keep === 'last' ? all.slice(-n) : all.slice(0, n);
  };
  const part = (p: typeof split.train) => ({
    x: p.texts ?? [],
    tokens: (p.texts ?? []).map(tokens),
    y: Array.from(p.y, (k) => p.classNames[k]),
  });
  const train = part(split.train);
  const val = part(split.validation);
  emit({ dataset: dataset.source, train: train.x.length, validation: val.x.length, split: dataset.split.validation });
  const dir = mkdtempSync(join(tmpdir(), 'nas-spam-'));
  try {
    const file = join(dir, 'split.json');
    writeFileSync(
      file,
      JSON.stringify({
        train_x: train.x,
        train_tokens: train.tokens,
        train_y: train.y,
        val_x: val.x,
        val_tokens: val.tokens,
        val_y: val.y,
      }),
    );
    if (!(await pythonHas(emit, 'tfidf-logreg', 'sklearn', 'python3-sklearn'))) return;
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', SCRIPT, file], { maxBuffer: 1 << 20 });
    for (const l of stdout.trim().split('\n')) emit({ reference: 'tfidf-logreg', ...JSON.parse(l) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const i = args.indexOf('--store');
  if (i >= 0 && args[i + 1]) {
    const store = Store.open(args[i + 1]);
    try {
      const r = store.latestRun();
      if (!r) throw new Error(`no run in ${args[i + 1]}`);
      const trials = store.trials(r.id, '').filter((t) => t.state === 'complete');
      const best = trials.sort((a, b) => (b.metrics.accuracy ?? 0) - (a.metrics.accuracy ?? 0))[0];
      emit({
        search: r.id,
        trials: trials.length,
        elapsed_s: Math.round(r.elapsedMs / 1000),
        best_accuracy: best?.metrics.accuracy,
        best: best?.key,
      });
    } finally {
      store.close();
    }
  }
}
