// `node rss-main.js ARGS...` runs `nas ARGS` in this process, then prints `maxrss_kb=N` (the peak
// resident memory of the whole process, worker threads included) on stderr: a memory bound a test
// can assert without an external `time` tool.

import { main } from '../../engine/cli/main.js';

const code = await main(process.argv.slice(2));
process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
