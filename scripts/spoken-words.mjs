// Generates the spoken-words dataset: words said by espeak-ng (apt-get install espeak-ng) in several
// voices, speeds and pitches, with seeded white noise added, one folder of WAV files per word.
//   node scripts/spoken-words.mjs [OUT_DIR]      (default: data/spoken-words, which git ignores)
// 8 words x 8 voices x 4 speeds x 2 pitches = 512 clips, about 15 MB: generated, never committed.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { WaveFile } = require('wavefile');

export const WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'stop', 'go'];
const VOICES = ['en-gb', 'en-us', 'en-gb-scotland', 'en-029', 'en-us+f3', 'en-gb+f2', 'en-gb-x-rp+m3', 'en-us-nyc+f4'];
const SPEEDS = [120, 150, 180, 210];
const PITCHES = [35, 65];
const SNR_DB = [10, 30]; // noise level drawn per clip in this range

const out = resolve(process.argv[2] ?? 'data/spoken-words');
try {
  execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('spoken-words: espeak-ng is not installed (apt-get install -y espeak-ng)');
  process.exit(1);
}

// seeded uniform numbers (LCG) so the same dataset comes out every time
let state = 12345;
const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

rmSync(out, { recursive: true, force: true });
const tmp = join(out, '.tmp.wav');
let count = 0;
for (const word of WORDS) {
  mkdirSync(join(out, word), { recursive: true });
  for (const voice of VOICES)
    for (const speed of SPEEDS)
      for (const pitch of PITCHES) {
        mkdirSync(out, { recursive: true });
        execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-p', String(pitch), '-w', tmp, word]);
        const wav = new WaveFile(readFileSync(tmp));
        wav.toBitDepth('32f');
        const x = wav.getSamples(false, Float32Array);
        let power = 0;
        for (const v of x) power += v * v;
        power /= Math.max(1, x.length);
        const snr = SNR_DB[0] + rand() * (SNR_DB[1] - SNR_DB[0]);
        const sd = Math.sqrt(power / 10 ** (snr / 10));
        const noisy = Float32Array.from(x, (v) => Math.max(-1, Math.min(1, v + sd * gauss())));
        const w = new WaveFile();
        w.fromScratch(
          1,
          wav.fmt.sampleRate,
          '16',
          Int16Array.from(noisy, (v) => Math.round(v * 32767)),
        );
        writeFileSync(join(out, word, `${voice.replace(/[^a-z0-9]+/g, '_')}-s${speed}-p${pitch}.wav`), w.toBuffer());
        count++;
      }
}
rmSync(tmp, { force: true });
console.log(`spoken-words: ${count} clips of ${WORDS.length} words in ${out}`);
