// The one snapshot format of strategy wrappers: { wrapper, version, state, inner }, where `inner` is
// the wrapped strategy's own snapshot and `state` the wrapper's (plain JSON). Wrappers nest, so a
// checkpoint of a screened, seeded stage reads as a chain of these around the strategy's snapshot.

import type { Json, JsonObject } from '../../engine/core/types.js';

const VERSION = 1;

export function wrapSnapshot(wrapper: string, state: JsonObject, inner: Json): Json {
  return { wrapper, version: VERSION, state, inner };
}

/** The wrapper's state and the inner snapshot; throws a clear Error when `snapshot` is not this wrapper's. */
export function unwrapSnapshot(snapshot: Json, wrapper: string): { state: JsonObject; inner: Json } {
  const s = snapshot as JsonObject | null;
  if (!s || typeof s !== 'object' || Array.isArray(s) || s.wrapper !== wrapper) {
    throw new Error(`not a ${wrapper} strategy snapshot`);
  }
  if (s.version !== VERSION) throw new Error(`${wrapper} snapshot version ${String(s.version)} is not ${VERSION}`);
  const state = s.state as JsonObject | null;
  if (!state || typeof state !== 'object' || Array.isArray(state)) throw new Error(`${wrapper} snapshot has no state`);
  return { state, inner: s.inner ?? null };
}
