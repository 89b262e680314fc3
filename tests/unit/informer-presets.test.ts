/** Informer presets from presets.json: every task x size is a valid config that runs; bad input is named. */
import { describe, expect, it } from 'vitest';
import { loadTf } from '@/lib/runtime/tfjs-node';
import { informerPreset, initialParameters, InformerModel, loadInformerPresets, makeBatch, markColumns, timeMarks } from '@/lib/models/informer';
import presets from '@/lib/models/informer/presets.json';

describe('Informer presets', () => {
  it('the four tasks carry the seed-000 windows', () => {
    const file = loadInformerPresets();
    expect(Object.fromEntries(Object.entries(file.tasks).map(([id, t]) => [id, `${t.frequency} ${t.contextLength}->${t.horizon}`]))).toEqual({
      energy: 'h 168->24', financial: 'd 252->20', weather: 't 144->48', traffic: 't 96->12',
    });
    expect(Object.keys(file.sizes)).toEqual(['small', 'medium', 'large']);
  });

  for (const task of ['energy', 'financial', 'weather', 'traffic']) {
    for (const size of ['small', 'medium', 'large']) {
      it(`${task} x ${size} is a valid config with parameters`, () => {
        const { config, training } = informerPreset({ task, size, channels: 3 });
        expect(config.dModel % config.heads).toBe(0);
        expect(config.contextLength).toBe(presets.tasks[task as 'energy'].contextLength);
        expect(training.schedule).toBe('halve');
        expect(initialParameters(config, 1).size).toBeGreaterThan(50);
      });
    }
  }

  it('the small energy and financial presets run a forward pass with the right output shape', async () => {
    const tf = await loadTf('cpu');
    for (const task of ['energy', 'financial']) {
      const { config } = informerPreset({ task, size: 'small', channels: 2, outputs: 1 });
      const rows = config.contextLength + config.horizon;
      const timestamps = Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + i * (config.frequency === 'd' ? 86_400_000 : 3_600_000));
      const values = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i / 7));
      const split = { values, marks: timeMarks(timestamps, config), channels: 2, rows };
      expect(split.marks.length).toBe(rows * markColumns(config.frequency));
      const weights = initialParameters(config, 3);
      const model = InformerModel.fromWeights(tf, config, weights);
      const batch = makeBatch(tf, split, config, [0]);
      const out = model.forward(batch.inputs);
      expect(out.shape).toEqual([1, config.horizon, 1]);
      expect(Array.from(await out.data()).every(Number.isFinite)).toBe(true);
      out.dispose();
      batch.dispose();
      model.dispose();
    }
  });

  it('unknown choices and bad files are rejected with what is valid', () => {
    expect(() => informerPreset({ task: 'solar', size: 'small', channels: 1 })).toThrow('informer: unknown task preset "solar"; valid: energy, financial, weather, traffic');
    expect(() => informerPreset({ task: 'energy', size: 'huge', channels: 1 })).toThrow('unknown size preset "huge"; valid: small, medium, large');
    expect(() => informerPreset({ task: 'energy', size: 'small', channels: 0 })).toThrow('channels must be a positive integer, got 0');
    expect(() => informerPreset({ task: 'financial', size: 'small', channels: 1, overrides: { timeEmbedding: 'fixed' } })).toThrow("config.frequency 'd' needs timeEmbedding 'timeF'");
    const broken = structuredClone(presets) as Record<string, any>;
    broken.sizes.small.heads = 5;
    broken.tasks.energy.labelLength = 500;
    expect(() => loadInformerPresets(broken)).toThrow(/presets file is invalid: .*tasks\.energy: labelLength must not exceed contextLength.*sizes\.small: dModel must be divisible by heads/);
  });
});
