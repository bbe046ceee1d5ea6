// npm run bench -- spos: see oneshot.ts.
import { oneShotBench } from './oneshot.js';

export default (emit: (line: Record<string, unknown>) => void, args: string[]): Promise<void> =>
  oneShotBench('spos', emit, args);
