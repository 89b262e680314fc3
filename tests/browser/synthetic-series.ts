/**
 * Deterministic synthetic series for benchmark cells (daily seasonality, trend, noise), generated
 * where they are used so a 256 x 2048 batch never crosses the page boundary. Same seed, same
 * numbers in Node and in the browser.
 */
export function syntheticBatch(batch: number, context: number, seed: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296 - 0.5;
  };
  return Array.from({ length: batch }, (_, row) => {
    const values = new Float32Array(context);
    const level = 100 + 10 * row;
    for (let t = 0; t < context; t++) values[t] = level + 0.01 * t + 5 * Math.sin((2 * Math.PI * t) / 24) + next();
    return values;
  });
}
