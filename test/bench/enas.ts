// npm run bench -- enas: see oneshot.ts.
import { oneShotBench } from './oneshot.js';

export default (emit: (line: Record<string, unknown>) => void, args: string[]): Promise<void> =>
  oneShotBench('enas', emit, args);
