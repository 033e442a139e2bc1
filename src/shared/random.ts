/**
 * Mulberry32: a tiny, well-mixed 32-bit PRNG returning floats in [0, 1). Everything
 * that must be reproducible from a seed (test data, the evaluation's image subset,
 * the template's measuring sample) draws from this one generator.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
