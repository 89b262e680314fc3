import { LookaheadError } from '@/lib/core/errors';
import type { ForecastConfig } from './schema';

/**
 * Starting points taken from our users' existing deployments: context, horizon and the frequency
 * the numbers were chosen for, plus size presets for data of any frequency. A preset sets the
 * window and the backtest; it leaves the data and the model as they are.
 */
export interface ForecastPreset {
  id: string;
  label: string;
  /** The sampling frequency the preset was tuned for (frequency label), null = any. */
  frequency: string | null;
  context: number;
  horizon: number;
  backtest: { windows: number; step: number };
  description: string;
}

export const PRESETS: readonly ForecastPreset[] = [
  {
    id: 'energy',
    label: 'Energy (hourly, 168 → 24)',
    frequency: '1h',
    context: 168,
    horizon: 24,
    backtest: { windows: 7, step: 24 },
    description: 'a week of hourly load to forecast the next day; a week of daily backtests',
  },
  {
    id: 'financial',
    label: 'Financial (daily, 252 → 20)',
    frequency: '1D',
    context: 252,
    horizon: 20,
    backtest: { windows: 6, step: 20 },
    description: 'a trading year to forecast a trading month; backtests a month apart',
  },
  {
    id: 'weather',
    label: 'Weather (10-minute, 144 → 48)',
    frequency: '10min',
    context: 144,
    horizon: 48,
    backtest: { windows: 6, step: 48 },
    description: 'a day of 10-minute readings to forecast the next 8 hours',
  },
  {
    id: 'traffic',
    label: 'Traffic (15-minute, 96 → 12)',
    frequency: '15min',
    context: 96,
    horizon: 12,
    backtest: { windows: 8, step: 12 },
    description: 'a day of 15-minute counts to forecast the next 3 hours',
  },
  {
    id: 'small',
    label: 'Small (64 → 8)',
    frequency: null,
    context: 64,
    horizon: 8,
    backtest: { windows: 3, step: 8 },
    description: 'quick look; short series',
  },
  {
    id: 'medium',
    label: 'Medium (512 → 24)',
    frequency: null,
    context: 512,
    horizon: 24,
    backtest: { windows: 5, step: 24 },
    description: 'the default balance of context and speed',
  },
  {
    id: 'large',
    label: 'Large (2048 → 64)',
    frequency: null,
    context: 2048,
    horizon: 64,
    backtest: { windows: 10, step: 64 },
    description: 'long context (Chronos-Bolt reads at most 2048 points)',
  },
];

export function findPreset(id: string): ForecastPreset {
  const preset = PRESETS.find((candidate) => candidate.id === id);
  if (!preset) {
    throw new LookaheadError('config', 'not_found', `unknown preset "${id}"; available: ${PRESETS.map((candidate) => candidate.id).join(', ')}`);
  }
  return preset;
}

/** The configuration with the preset's window and backtest; data, model and levels unchanged. */
export function applyPreset(config: ForecastConfig, presetId: string): ForecastConfig {
  const preset = findPreset(presetId);
  return {
    ...config,
    context: preset.context,
    horizon: preset.horizon,
    backtest: { ...config.backtest, windows: preset.backtest.windows, step: preset.backtest.step },
    preset: preset.id,
  };
}

/**
 * A sentence for the page when a frequency-specific preset meets data of another frequency
 * (hourly numbers on monthly data would mean 14 years of context); null when they agree.
 */
export function presetFrequencyWarning(preset: ForecastPreset, dataFrequency: string | null): string | null {
  if (preset.frequency === null || dataFrequency === null || preset.frequency === dataFrequency) return null;
  return `The ${preset.id} preset was chosen for ${preset.frequency} data; this series is ${dataFrequency}, so its context and horizon mean different spans of time.`;
}
