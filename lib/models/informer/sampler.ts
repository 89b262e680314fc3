/**
 * ProbSparse key sampling. The reference draws `torch.randint(L_K, (L_Q, U_part))` once per
 * ProbAttention call, shared by every batch element and head; torch's generator cannot be
 * reproduced in JS, so the draw is injectable: a seeded sampler for training and inference, a
 * replaying one for the golden tests.
 */
export type KeySampler = (queryLength: number, keyLength: number, samples: number) => Int32Array;

/** mulberry32: a small, fast, seedable 32-bit PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform draws with replacement from [0, keyLength), like torch.randint. */
export function seededKeySampler(seed: number): KeySampler {
  const random = seededRandom(seed);
  return (queryLength, keyLength, samples) => {
    const out = new Int32Array(queryLength * samples);
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * keyLength);
    return out;
  };
}

/** Replays recorded draws in call order, checking each call's shape. */
export function replayKeySampler(draws: { queryLength: number; keyLength: number; samples: number; indices: Int32Array }[]): KeySampler & { calls(): number } {
  let call = 0;
  const sampler = ((queryLength: number, keyLength: number, samples: number) => {
    const draw = draws[call];
    if (draw === undefined) throw new Error(`informer: replay sampler has ${draws.length} recorded draws, call ${call} asked for one more`);
    if (draw.queryLength !== queryLength || draw.keyLength !== keyLength || draw.samples !== samples) {
      throw new Error(`informer: replay call ${call} expected (L_Q ${draw.queryLength}, L_K ${draw.keyLength}, U ${draw.samples}), got (${queryLength}, ${keyLength}, ${samples})`);
    }
    call++;
    return draw.indices;
  }) as KeySampler & { calls(): number };
  sampler.calls = () => call;
  return sampler;
}
