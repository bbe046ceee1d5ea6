// ENAS' controller over a supernet's single paths: reinforce's LSTM controller (controllers.ts) on a
// space of one decision per supernet row (`path.R`, choices = the row's candidates), trained by
// REINFORCE with a moving-average baseline and an entropy bonus, one Adam step per batch of
// sampled paths. The supernet job (engine/training/oneshot) gets it through PathPolicyFactory.

import { Rng, deriveSeed } from '../../engine/core/rng.js';
import type { Decision } from '../../engine/core/space.js';
import type { Json } from '../../engine/core/types.js';
import { ONESHOT_DEFAULTS, type OneShotOptions, type PathPolicy } from '../../engine/core/supernet.js';
import { DecisionSpace } from '../../engine/space/base.js';
import { Adam, LstmController } from './controllers.js';

/** The space of single paths of a supernet: row r takes one of columns[r]. */
export class PathSpace extends DecisionSpace<Json> {
  readonly kind = 'supernet-path';
  private readonly all: Decision[];

  constructor(columns: readonly (readonly string[])[]) {
    super();
    this.all = columns.map((c, r) => ({ name: `path.${r}`, choices: [...c] }));
  }

  next(prefix: readonly number[]): Decision | null {
    return this.all[prefix.length] ?? null;
  }
  decisions(): readonly Decision[] {
    return this.all;
  }
  decode(choices: readonly number[]): Json {
    return [...choices];
  }
  choicesOf(arch: Json): number[] {
    return this.validate(arch) as number[];
  }
  key(arch: Json): string {
    return (arch as number[]).join(',');
  }
  size(): number {
    return this.all.reduce((n, d) => n * d.choices.length, 1);
  }
  validate(value: Json): Json {
    if (
      !Array.isArray(value) ||
      value.length !== this.all.length ||
      value.some((v, r) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= this.all[r].choices.length)
    )
      throw new Error(`not a path of this supernet: ${JSON.stringify(value)}`);
    return value;
  }
}

export class ControllerPolicy implements PathPolicy {
  private readonly controller: LstmController;
  private readonly adam: Adam;
  private readonly rng: Rng;
  private baseline: number | null = null;
  private readonly beta: number;
  private readonly decay: number;

  constructor(columns: readonly (readonly string[])[], seed: number, o: OneShotOptions = {}) {
    const space = new PathSpace(columns);
    this.controller = new LstmController(space, new Rng(deriveSeed(seed, 'lstm-init')));
    this.adam = new Adam(
      this.controller.params.length,
      o.controller_learning_rate ?? ONESHOT_DEFAULTS.controller_learning_rate,
    );
    this.rng = new Rng(deriveSeed(seed, 'sample'));
    this.beta = o.entropy ?? ONESHOT_DEFAULTS.entropy;
    this.decay = o.baseline_decay ?? ONESHOT_DEFAULTS.baseline_decay;
  }

  sample(): number[] {
    return this.controller.sample(this.rng);
  }

  update(batch: readonly { path: readonly number[]; reward: number }[]): void {
    if (batch.length === 0) return;
    const grad = new Float64Array(this.controller.params.length);
    for (const { path, reward } of batch) {
      // ENAS: advantage = reward - moving-average baseline, the baseline updated per sample
      if (this.baseline === null) this.baseline = reward;
      this.controller.accumulate(path, reward - this.baseline, this.beta, grad);
      this.baseline = this.decay * this.baseline + (1 - this.decay) * reward;
    }
    for (let k = 0; k < grad.length; k++) grad[k] /= batch.length;
    this.adam.ascend(this.controller.params, grad);
  }

  logProb(path: readonly number[]): number {
    return this.controller.probabilities(path).reduce((s, p, t) => s + Math.log(p[path[t]]), 0);
  }
}

/** The PathPolicyFactory the evaluation layer hands to supernet jobs. */
export const controllerPolicy = (
  columns: readonly (readonly string[])[],
  seed: number,
  o: OneShotOptions,
): PathPolicy => new ControllerPolicy(columns, seed, o);
