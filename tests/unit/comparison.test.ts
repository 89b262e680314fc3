import { describe, expect, it } from 'vitest';
import type { MetricSet } from '@/lib/core/metrics';
import { compareModels } from '@/lib/evaluation';

function scores(overrides: Partial<MetricSet>): MetricSet {
  return {
    mase: 1,
    wql: 0.1,
    crps: 1,
    smape: 10,
    mse: 4,
    mae: 2,
    mseScaled: 0.4,
    maeScaled: 0.2,
    coverage: 0.8,
    intervalWidth: 5,
    coverageLevel: 0.8,
    ...overrides,
  };
}

describe('compareModels: hand-computed', () => {
  const baseline = { modelId: 'seasonal-naive', windows: [scores({ mase: 2, wql: 0.2 }), scores({ mase: 4, wql: 0.1 })], timeMs: 5 };
  const better = { modelId: 'auto-ets', windows: [scores({ mase: 1, wql: 0.1, coverage: 0.5 }), scores({ mase: 1, wql: 0.2, coverage: 0.7 })], timeMs: 50 };
  const comparison = compareModels({ models: [baseline, better] });
  const row = (id: string) => comparison.rows.find((candidate) => candidate.modelId === id)!;

  it('averages each metric over the windows', () => {
    expect(row('seasonal-naive').values.mase).toBe(3);
    expect(row('auto-ets').values.mase).toBe(1);
    expect(row('auto-ets').values.coverage).toBeCloseTo(0.6, 15);
    expect(row('auto-ets').values.timeMs).toBe(50);
  });

  it('relative scores: geometric mean over windows of model / seasonal naive', () => {
    // MASE ratios 1/2 and 1/4: sqrt(1/8). WQL ratios 0.1/0.2 and 0.2/0.1: sqrt(0.5 x 2) = 1.
    expect(row('auto-ets').values.relativeMase).toBeCloseTo(Math.sqrt(1 / 8), 15);
    expect(row('auto-ets').values.relativeWql).toBeCloseTo(1, 15);
    expect(row('seasonal-naive').values.relativeMase).toBe(1);
    expect(comparison.baselineId).toBe('seasonal-naive');
  });

  it('marks the best per column: lowest error, coverage closest to nominal, ties shared', () => {
    expect(row('auto-ets').best).toContain('mase');
    expect(row('seasonal-naive').best).not.toContain('mase');
    // Coverage 0.8 (baseline) is nominal; 0.6 is not.
    expect(row('seasonal-naive').best).toContain('coverage');
    expect(row('auto-ets').best).not.toContain('coverage');
    // Equal CRPS: both are best.
    expect(row('seasonal-naive').best).toContain('crps');
    expect(row('auto-ets').best).toContain('crps');
    expect(row('seasonal-naive').best).toContain('timeMs');
    expect(comparison.coverageLevel).toBe(0.8);
  });

  it('a failed model has no numbers and is never best', () => {
    const failed = compareModels({ models: [baseline, better, { modelId: 'mstl', windows: [], timeMs: 3 }] });
    const mstl = failed.rows.find((candidate) => candidate.modelId === 'mstl')!;
    expect(mstl.values.mase).toBeNull();
    expect(mstl.values.relativeMase).toBeNull();
    expect(mstl.best).toEqual(['timeMs']);
  });

  it('without seasonal naive there are no relative scores', () => {
    const alone = compareModels({ models: [better, { ...better, modelId: 'mstl' }] });
    expect(alone.baselineId).toBeNull();
    expect(alone.rows.map((candidate) => candidate.values.relativeMase)).toEqual([null, null]);
  });

  it('an unscaleable window (flat context: MASE Infinity) makes the mean not finite: null, not a number', () => {
    const flat = compareModels({ models: [baseline, { ...better, windows: [scores({ mase: Number.POSITIVE_INFINITY }), scores({})] }] });
    expect(flat.rows[1]!.values.mase).toBeNull();
    // The relative score clips the Infinity ratio to 5 (fev's default), so it stays a number.
    expect(flat.rows[1]!.values.relativeMase).toBeCloseTo(Math.sqrt(5 * (1 / 4)), 12);
  });

  it('one model alone gets no highlight (nothing to beat)', () => {
    expect(compareModels({ models: [better] }).rows[0]!.best).toEqual([]);
  });
});
