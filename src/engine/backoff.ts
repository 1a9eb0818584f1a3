/**
 * Retry delays: exponential backoff with full jitter, min(cap, base * 2^(attempt - 1)) scaled by a
 * uniform draw. Draws come from a seed carried by the command, never from a random source here.
 */

export function backoffCeilingMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** `draw` is uniform in [0, 1). */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, draw: number): number {
  return Math.floor(draw * backoffCeilingMs(attempt, baseMs, capMs));
}

/** A small deterministic generator (mulberry32): the same seed gives the same draws. */
export function draws(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
