// Seeded pseudo-random numbers for tests (a 32-bit linear congruential generator): the same
// values on every run and backend, so one set of inputs can be compared across backends.

/** Numbers in [shift, 1 + shift), one per call. */
export function lcg(seed: number, shift = 0): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 + shift;
}

/** n numbers in [-0.5, 0.5). */
export function random(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, lcg(seed, -0.5));
}
