import type { RepeatTiming } from './chronos-protocol';

/**
 * Times `run` the same way in every runtime (Node and the page share this code): untimed warm-up
 * runs first (the first run at a new shape sizes arenas and, in WASM, tiers code up), then timed
 * runs until `minRepeats` are done and `budgetMs` is spent, or `maxRepeats` are done.
 */
export async function repeatTimed(run: () => Promise<unknown>, timing: RepeatTiming): Promise<{ samplesMs: number[]; warmupMs: number[] }> {
  const warmupMs: number[] = [];
  for (let i = 0; i < timing.warmup; i++) {
    const started = performance.now();
    await run();
    warmupMs.push(performance.now() - started);
  }
  const samplesMs: number[] = [];
  const began = performance.now();
  while (samplesMs.length < timing.maxRepeats && (samplesMs.length < timing.minRepeats || performance.now() - began < timing.budgetMs)) {
    const started = performance.now();
    await run();
    samplesMs.push(performance.now() - started);
  }
  return { samplesMs, warmupMs };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
