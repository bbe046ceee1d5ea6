// Typed errors. The engine decides what to do from the class: a TrialError fails (and maybe retries)
// one candidate, a FatalError stops the run, a WorkflowError is a problem in the user's file.

/** One candidate could not be evaluated. The run continues; `retryable` says whether trying again can help. */
export class TrialError extends Error {
  override readonly name = 'TrialError';
  constructor(
    message: string,
    readonly retryable = true,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Nothing more can be evaluated (missing dataset, broken backend, ...). The run stops as failed. */
export class FatalError extends Error {
  override readonly name = 'FatalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A problem at a place in a workflow file. */
export interface WorkflowProblem {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  message: string;
}

export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
  constructor(readonly problems: WorkflowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: WorkflowProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
