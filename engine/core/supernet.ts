// The contract between the darts strategy and the supernet trainer: the options of a supernet search
// (the strategy's schema exposes them) and what the strategy asks the engine to run.

/** Options of `strategy: { type: darts, ... }` that shape the supernet search (schema in strategies/darts.ts). */
export interface DartsOptions {
  /** Supernet training epochs. */
  epochs?: number;
  batch_size?: number;
  /** Weights: SGD with momentum 0.9 and a cosine schedule down to learning_rate_min (DARTS), or Adam. */
  optimizer?: 'sgd' | 'adam';
  learning_rate?: number;
  learning_rate_min?: number;
  weight_decay?: number;
  /** Epochs that train only the weights before the alphas start moving (P-DARTS/PC-DARTS warm-up). */
  warmup?: number;
  /** Gradient clipping (global norm) of the weights' step. */
  grad_clip?: number;
  /** Alphas: Adam(arch_learning_rate, beta1 0.5, beta2 0.999) with L2 arch_weight_decay (DARTS). */
  arch_learning_rate?: number;
  arch_weight_decay?: number;
  /** 'first' (alpha gradient at the current weights) or 'second' (DARTS' finite-difference unrolled approximation). */
  order?: 'first' | 'second';
  /** Where alphas are trained: the workflow's validation split, or the second half of the training split. */
  alpha_data?: 'validation' | 'train-half';
  /** How the discrete cell is read off the supernet: largest alpha (DARTS) or perturbation (DARTS-PT), see derive.ts. */
  select?: 'alpha' | 'perturbation';
  /** Collapse guard: see derive.ts. */
  guard?: 'early-stop' | 'none';
  /** early-stop: stop once the derived cell has this many skip connections (DARTS+: 2). */
  max_skip?: number;
  /** early-stop: first epoch the guard may stop at (warm-up of the weights). */
  guard_after?: number;
  /** beta-DARTS' Beta-Decay regularisation weight on the alpha loss (0: off). */
  beta_decay?: number;
  /** Cell: how many incoming edges each node keeps (DARTS: 2); absent keeps every edge (NB201). */
  inputs_per_node?: number;
  /** How many distinct derived architectures are proposed as trials. */
  candidates?: number;
  /** Supernet skeleton for cells (defaults to the space's skeleton). */
  skeleton?: { channels: number; cells: number; stages: number };
  /** Batches per epoch cap (tests); 0 = all. */
  max_steps?: number;
}

export const DARTS_DEFAULTS = {
  epochs: 30,
  batch_size: 64,
  optimizer: 'sgd' as const,
  learning_rate: 0.05,
  learning_rate_min: 0.001,
  weight_decay: 3e-4,
  controller: 'lstm' as 'lstm' | 'random',
  warmup: 5,
  grad_clip: 5,
  arch_learning_rate: 0.003,
  arch_weight_decay: 1e-3,
  order: 'first' as const,
  alpha_data: 'validation' as const,
  select: 'perturbation' as const,
  guard: 'early-stop' as const,
  max_skip: 2,
  guard_after: 3,
  beta_decay: 0,
  candidates: 1,
  max_steps: 0,
};

/** What a darts strategy asks the engine to run (the `supernet` proposal). */
export interface SupernetRequest {
  /** Unique within the strategy (the trial's key is `supernet:<id>`). */
  id: string;
  method?: 'darts';
  options: DartsOptions;
}

/** Weight-sharing methods besides DARTS: ENAS (a controller picks the path) and SPOS (uniform paths). */
export type OneShotMethod = 'enas' | 'spos';

/** Options of `strategy: { type: enas | spos }` that shape the supernet job (schemas in strategies/enas.ts, spos.ts). */
export interface OneShotOptions {
  /** Supernet epochs (ENAS: each a weight phase then a controller phase). */
  epochs?: number;
  batch_size?: number;
  /** Weights: momentum-SGD learning rate (cosine-annealed), L2 decay and gradient clipping. */
  learning_rate?: number;
  weight_decay?: number;
  grad_clip?: number;
  /** Batches per epoch at most (0: the whole training split). */
  max_steps?: number;
  /** ENAS: 'lstm' (the controller), or 'random': uniform paths throughout and a random draw ranked at the end (random search with weight sharing, Li & Talwalkar 2019; the baseline of the benches). */
  controller?: 'lstm' | 'random';
  /** ENAS: epochs whose weight phase samples paths uniformly (and the controller waits), so every op is trained before the controller judges it. */
  warmup?: number;
  /** ENAS: after warm-up, which paths the weight phase trains: the controller's (ENAS) or uniform ones (the controller only searches). */
  weight_paths?: 'controller' | 'uniform';
  /** ENAS: controller updates per epoch, architectures sampled per update, Adam rate, entropy bonus, baseline decay. */
  controller_steps?: number;
  controller_samples?: number;
  controller_learning_rate?: number;
  entropy?: number;
  baseline_decay?: number;
  /** ENAS: validation examples each controller reward is measured on (0: the whole validation split). */
  reward_examples?: number;
  /** Architectures ranked under shared weights at the end (ENAS: sampled; SPOS: the evolution's population). */
  sample?: number;
  /** SPOS: evolution generations, population, mutation share, and training batches for BN recalibration. */
  generations?: number;
  population?: number;
  recalibration_batches?: number;
  /** The shared-weight score that ranks paths (and is ENAS' reward): 'likelihood', exp(-mean cross-entropy), or 'accuracy'. */
  rank_by?: 'likelihood' | 'accuracy';
  /** Validation examples a shared-weight score is measured on (0: the whole validation split). */
  score_examples?: number;
  /** Top architectures proposed as trials. */
  candidates?: number;
  /** Extra random architectures scored under shared weights and trained stand-alone, for the rank correlation. */
  rank_check?: number;
  skeleton?: { channels: number; cells: number; stages: number };
}

export const ONESHOT_DEFAULTS = {
  epochs: 10,
  batch_size: 64,
  learning_rate: 0.05,
  weight_decay: 3e-4,
  grad_clip: 5,
  max_steps: 0,
  controller: 'lstm' as 'lstm' | 'random',
  warmup: 5,
  weight_paths: 'controller' as 'controller' | 'uniform',
  controller_steps: 20,
  controller_samples: 4,
  controller_learning_rate: 0.0035,
  entropy: 0.0001,
  baseline_decay: 0.95,
  reward_examples: 256,
  sample: 50,
  generations: 10,
  population: 20,
  recalibration_batches: 4,
  rank_by: 'likelihood' as 'likelihood' | 'accuracy',
  score_examples: 500,
  candidates: 3,
  rank_check: 0,
};

/** A one-shot supernet request: `method` picks the search; absent means DARTS (older stores). */
export interface OneShotRequest {
  id: string;
  method: OneShotMethod;
  options: OneShotOptions;
}

/**
 * The ENAS controller as the supernet job sees it: a policy over single paths (one column per row of
 * the supernet). It lives in strategies/lib (the LSTM of reinforce) and is handed to the job by the
 * evaluation layer, which sees both.
 */
export interface PathPolicy {
  sample(): number[];
  /** One REINFORCE step on these paths and rewards (moving-average baseline, entropy bonus). */
  update(batch: readonly { path: readonly number[]; reward: number }[]): void;
  logProb(path: readonly number[]): number;
}

/** Makes the ENAS policy for a supernet's rows (columns[r] = the candidates of row r). */
export type PathPolicyFactory = (
  columns: readonly (readonly string[])[],
  seed: number,
  o: OneShotOptions,
) => PathPolicy;

/** Any supernet request a pool job can carry. */
export type AnySupernetRequest = SupernetRequest | OneShotRequest;
