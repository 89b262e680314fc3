import { describe, expect, it } from 'vitest';
import { applyPreset, findPreset, parseForecastConfig, presetFrequencyWarning, PRESETS } from '@/lib/config';
import { frequencyFromLabel } from '@/lib/core/frequency';

const base = parseForecastConfig({ version: 1, source: 'etth1', target: 'OT', model: 'mstl', context: 512, horizon: 24, quantileLevels: [0.1, 0.5, 0.9] });

describe('presets from our users deployments', () => {
  it.each([
    ['energy', 168, 24, '1h'],
    ['financial', 252, 20, '1D'],
    ['weather', 144, 48, '10min'],
    ['traffic', 96, 12, '15min'],
  ])('%s: context %i, horizon %i, %s data', (id, context, horizon, frequency) => {
    const preset = findPreset(id);
    expect([preset.context, preset.horizon, preset.frequency]).toEqual([context, horizon, frequency]);
    // The label is a frequency the app understands, in its canonical spelling.
    expect(frequencyFromLabel(preset.frequency!).label).toBe(frequency);
  });

  it('small, medium and large are frequency-free and grow in both directions', () => {
    const sizes = ['small', 'medium', 'large'].map(findPreset);
    expect(sizes.map((preset) => preset.frequency)).toEqual([null, null, null]);
    expect(sizes.map((preset) => preset.context)).toEqual([64, 512, 2048]);
    expect(sizes.map((preset) => preset.horizon)).toEqual([8, 24, 64]);
  });

  it('every preset is a valid configuration once applied', () => {
    for (const preset of PRESETS) {
      const applied = applyPreset(base, preset.id);
      expect(parseForecastConfig(applied)).toEqual(applied);
      expect(applied.backtest.windows).toBeGreaterThanOrEqual(3);
    }
  });

  it('applying a preset sets window and backtest, and keeps data, model and levels', () => {
    const applied = applyPreset({ ...base, backtest: { windows: 2, step: 5, models: ['mstl'] } }, 'energy');
    expect(applied).toEqual({
      ...base,
      context: 168,
      horizon: 24,
      backtest: { windows: 7, step: 24, models: ['mstl'] },
      preset: 'energy',
    });
  });

  it('an unknown preset names the known ones', () => {
    expect(() => findPreset('solar')).toThrow('config: unknown preset "solar"; available: energy, financial, weather, traffic, small, medium, large');
  });

  it('warns when an hourly preset meets monthly data, and only then', () => {
    expect(presetFrequencyWarning(findPreset('energy'), '1M')).toBe(
      'The energy preset was chosen for 1h data; this series is 1M, so its context and horizon mean different spans of time.',
    );
    expect(presetFrequencyWarning(findPreset('energy'), '1h')).toBeNull();
    expect(presetFrequencyWarning(findPreset('medium'), '1M')).toBeNull();
    expect(presetFrequencyWarning(findPreset('energy'), null)).toBeNull();
  });
});
