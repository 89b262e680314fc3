/**
 * fp16 weights (model.fp16.onnx: half the download, float32 compute after a Cast) against the
 * goldens on both runtimes. The error is reported relative to the series' own scale, |loc| + scale.
 *
 * Bound: 1e-2 x (|loc| + scale). Half precision keeps 11 significant bits (4.9e-4 relative per
 * weight); through 2-8 layers that measured 2.2e-3 (tiny-random, one block) and 5.2e-3 (its
 * long-horizon path, where the Q x Q samples feed rounding back in), under a hundredth of the
 * series' own spread.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChronosBoltPipeline, concatChunks, convertChronosBolt } from '@/lib/models/chronos-bolt';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';
import { checkpointDir, flatten, GOLDEN_CHECKPOINTS, GOLDEN_INPUT_NAMES, loadGolden, seriesOf } from '@/tests/support/chronos-golden';
import { CHRONOS_RUNTIMES, createTestSession } from '@/tests/support/chronos-runtimes';

const FP16_BOUND = 1e-2;
const measured: string[] = [];
afterAll(() => {
  console.log(`Chronos-Bolt fp16 weights, max |error| / (|loc| + scale) against the goldens:\n${measured.join('\n')}`);
});

const cases = CHRONOS_RUNTIMES.flatMap((runtime) => GOLDEN_CHECKPOINTS.map((checkpoint) => ({ runtime, checkpoint })));

describe.each(cases)('fp16 weights on $runtime x $checkpoint', ({ runtime, checkpoint }) => {
  it('stays within 1e-2 of the series scale on predict_default and predict_150 for all six inputs', async () => {
    const golden = loadGolden(checkpoint);
    const converted = convertChronosBolt({
      configJson: JSON.parse(await readFile(path.join(checkpointDir(checkpoint), 'config.json'), 'utf8')),
      safetensors: await readFile(path.join(checkpointDir(checkpoint), 'model.safetensors')),
      dtype: 'fp16',
    });
    const session = await createTestSession(runtime, concatChunks(converted.onnx));
    try {
      const pipeline = new ChronosBoltPipeline(converted.config, createChronosRuntime(session));
      const worst = { predict_default: 0, predict_150: 0 };
      for (const name of GOLDEN_INPUT_NAMES) {
        const intermediates = golden.goldens.intermediates[name]!;
        const spread = Math.abs(flatten(intermediates.loc!).values[0]!) + flatten(intermediates.scale!).values[0]!;
        for (const kind of ['predict_default', 'predict_150'] as const) {
          const want = flatten(golden.goldens.single_series[name]![kind]).values;
          const got = await pipeline.predict([seriesOf(golden.inputs[name]!)], kind === 'predict_150' ? 150 : undefined);
          expect(got).toHaveLength(want.length);
          for (let i = 0; i < want.length; i++) worst[kind] = Math.max(worst[kind], Math.abs(got[i]! - want[i]!) / spread);
        }
      }
      measured.push(`${runtime} ${checkpoint}: ${converted.onnx.byteLength} bytes; predict_default ${worst.predict_default.toExponential(2)}, predict_150 ${worst.predict_150.toExponential(2)}`);
      expect(worst.predict_default).toBeLessThanOrEqual(FP16_BOUND);
      expect(worst.predict_150).toBeLessThanOrEqual(FP16_BOUND);
    } finally {
      await session.release();
    }
  });
});
