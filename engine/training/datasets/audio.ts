// audio:DIR -> log-mel spectrograms. DIR holds one folder of WAV files per label (the folder name is
// the label). Each clip is read with `wavefile` (any PCM or float WAV, channels averaged), padded or cut
// to the longest clip, cut into frames of ~25 ms with a half-frame hop, and each frame's mel band
// energies come from `meyda` (Hann window, FFT, triangular mel filters); features are their logs,
// normalised per clip (mean 0, std 1), which takes away loudness without any statistic of other clips.
// Shape [frames, mels]: conv1d and recurrent layers read it as a sequence, conv2d as [frames, mels, 1].

import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FatalError } from '../../core/errors.js';
import type { RawDataset } from './types.js';

const require = createRequire(import.meta.url);
type WaveFileModule = typeof import('wavefile');
type Meyda = typeof import('meyda').default;

/** Mel bands per frame. */
export const AUDIO_MELS = 40;
/** Clips longer than this are cut (seconds). */
export const AUDIO_MAX_SECONDS = 2;

interface Clip {
  file: string;
  label: string;
  rate: number;
  samples: Float32Array;
}

function readClip(file: string, label: string): Clip {
  const { WaveFile } = require('wavefile') as WaveFileModule;
  let wav: InstanceType<WaveFileModule['WaveFile']>;
  try {
    wav = new WaveFile(readFileSync(file));
  } catch (e) {
    throw new FatalError(`${file}: not a readable WAV file (${(e as Error).message}); re-export it as PCM WAV`);
  }
  const fmt = wav.fmt as { sampleRate: number; numChannels: number; bitsPerSample: number; audioFormat: number };
  const raw = wav.getSamples(false, Float32Array) as unknown as Float32Array | Float32Array[];
  // to [-1, 1]: float WAVs already are; integer PCM is signed (8-bit: unsigned around 128). wavefile's
  // toBitDepth('32f') does the same, sample by sample through generic code, 25 times slower.
  const bits = fmt.bitsPerSample;
  const float = fmt.audioFormat === 3 || (bits === 32 && wav.bitDepth === '32f') || bits === 64;
  const offset = !float && bits === 8 ? 128 : 0;
  const scale = float ? 1 : 2 ** (bits - 1);
  const channels = Array.isArray(raw) ? raw : [raw];
  const n = channels[0]?.length ?? 0;
  if (n === 0) throw new FatalError(`${file}: the WAV file holds no samples`);
  const samples = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) samples[i] += (ch[i] - offset) / scale / channels.length;
  return { file, label, rate: fmt.sampleRate, samples };
}

/**
 * Every WAV under DIR/LABEL/ as [label, file], labels and files sorted (the order clips are read and
 * hashed in); one clear error for an empty or missing folder.
 */
export function audioFiles(dir: string): [label: string, file: string][] {
  let labels: string[];
  try {
    labels = readdirSync(dir)
      .filter((d) => statSync(join(dir, d)).isDirectory())
      .sort();
  } catch (e) {
    throw new FatalError(`audio:${dir}: cannot read the folder (${(e as Error).message})`);
  }
  if (labels.length < 2) {
    throw new FatalError(
      `audio:${dir}: expected one folder of WAV files per label (at least 2), found ${labels.length ? `only "${labels[0]}"` : 'none'}`,
    );
  }
  const out: [string, string][] = [];
  for (const label of labels) {
    const files = readdirSync(join(dir, label))
      .filter((f) => f.toLowerCase().endsWith('.wav'))
      .sort();
    if (files.length === 0) throw new FatalError(`audio:${dir}: the folder "${label}" holds no .wav files`);
    for (const f of files) out.push([label, join(dir, label, f)]);
  }
  return out;
}

function readClips(dir: string): Clip[] {
  const clips = audioFiles(dir).map(([label, file]) => readClip(file, label));
  const rate = clips[0].rate;
  const other = clips.find((c) => c.rate !== rate);
  if (other) {
    throw new FatalError(
      `audio:${dir}: mixed sample rates: ${clips[0].file} is ${rate} Hz, ${other.file} is ${other.rate} Hz; resample them to one rate (e.g. sox IN -r ${rate} OUT)`,
    );
  }
  return clips;
}

/** The frame size (a power of two, ~25 ms) of a sample rate. */
export function frameSize(rate: number): number {
  return 2 ** Math.round(Math.log2(rate * 0.025));
}

export function loadAudio(dir: string): RawDataset {
  const clips = readClips(dir);
  const rate = clips[0].rate;
  const size = frameSize(rate);
  const hop = size / 2;
  const length = Math.min(Math.round(AUDIO_MAX_SECONDS * rate), Math.max(...clips.map((c) => c.samples.length)));
  const frames = Math.max(1, Math.floor((Math.max(length, size) - size) / hop) + 1);
  const meyda = require('meyda') as Meyda;
  meyda.bufferSize = size;
  meyda.sampleRate = rate;
  meyda.melBands = AUDIO_MELS;
  meyda.windowingFunction = 'hanning';
  // meyda's own mel filter bank (it builds it on the first extract for these settings); its `melBands`
  // feature allocates per band and frame, ten times the cost of the power spectrum and this product
  meyda.extract('powerSpectrum', new Float32Array(size));
  const bank = (meyda as unknown as { melFilterBank: number[][] }).melFilterBank;
  const d = frames * AUDIO_MELS;
  const x = new Float32Array(clips.length * d);
  const padded = new Float32Array(frames * hop + size);
  clips.forEach((clip, k) => {
    padded.fill(0);
    padded.set(clip.samples.subarray(0, Math.min(clip.samples.length, padded.length)));
    const out = x.subarray(k * d, (k + 1) * d);
    for (let f = 0; f < frames; f++) {
      const power = meyda.extract('powerSpectrum', padded.subarray(f * hop, f * hop + size)) as unknown as Float32Array;
      for (let m = 0; m < AUDIO_MELS; m++) {
        const filter = bank[m];
        let e = 0;
        for (let j = 0; j < power.length; j++) e += filter[j] * power[j];
        out[f * AUDIO_MELS + m] = Math.log(e + 1e-10);
      }
    }
    let mean = 0;
    for (const v of out) mean += v;
    mean /= d;
    let sq = 0;
    for (const v of out) sq += (v - mean) ** 2;
    const std = Math.sqrt(sq / d) || 1;
    for (let i = 0; i < d; i++) out[i] = (out[i] - mean) / std;
  });
  return { x, labels: clips.map((c) => c.label), featureShape: [frames, AUDIO_MELS], standardize: false };
}
