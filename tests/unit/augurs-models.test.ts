import { beforeAll, describe, expect, it } from 'vitest';
import { createMstl, interpolateMissing, type AugursLike } from '@/lib/models/baselines';
import { loadAugursNode } from '@/lib/runtime/augurs-node';
import { normalQuantile } from '@/lib/core/normal';
import { frequencyFromLabel } from '@/lib/core/frequency';

let augurs: AugursLike;
beforeAll(async () => {
  augurs = await loadAugursNode();
});

// A monthly series with trend and a 12-month season, deterministic noise.
const monthly = Array.from({ length: 96 }, (_, t) => 100 + t + 10 * Math.sin((2 * Math.PI * t) / 12) + ((t * 7919) % 13) / 13);

describe('augurs baselines (real augurs WASM)', () => {
  it('MSTL quantiles are symmetric Gaussian quantiles around the point forecast', async () => {
    const fitted = await createMstl(augurs).fit({ values: monthly, season: 12 });
    const forecast = await fitted.forecast({ horizon: 6, quantileLevels: [0.1, 0.5, 0.9] });
    fitted.dispose();
    const [low, mid, high] = forecast.quantiles as [number[], number[], number[]];
    for (let step = 0; step < 6; step++) {
      expect(low[step]).toBeLessThan(mid[step]!);
      expect(high[step]).toBeGreaterThan(mid[step]!);
      expect(mid[step]! - low[step]!).toBeCloseTo(high[step]! - mid[step]!, 6);
    }
    // Gaussian: the 10-90 half-width over the 25-75 half-width is z(.9)/z(.75).
    const fitted2 = await createMstl(augurs).fit({ values: monthly, season: 12 });
    const quartiles = await fitted2.forecast({ horizon: 1, quantileLevels: [0.25, 0.5, 0.75] });
    fitted2.dispose();
    const ratio = (high[0]! - mid[0]!) / (quartiles.quantiles[2]![0]! - quartiles.quantiles[1]![0]!);
    expect(ratio).toBeCloseTo(normalQuantile(0.9) / normalQuantile(0.75), 3);
  });

  it('MSTL follows the 12-month season better than its non-seasonal fallback (augurs AutoETS)', async () => {
    const history = monthly.slice(0, 84);
    const actual = monthly.slice(84);
    const frequency = frequencyFromLabel('1M');
    const errors: Record<string, number> = {};
    for (const [name, series] of [
      ['ets', { values: history }],
      ['mstl', { values: history, frequency }],
    ] as const) {
      const fitted = await createMstl(augurs).fit(series);
      const forecast = await fitted.forecast({ horizon: 12, quantileLevels: [0.5] });
      fitted.dispose();
      errors[name] = forecast.quantiles[0]!.reduce((sum, value, i) => sum + Math.abs(value - actual[i]!), 0) / 12;
    }
    expect(errors.mstl).toBeLessThan(errors.ets! / 2);
  });

  it('interpolates gaps for augurs and reports how many', async () => {
    const withGaps = monthly.slice();
    withGaps[10] = Number.NaN;
    withGaps[11] = Number.NaN;
    const fitted = await createMstl(augurs).fit({ values: withGaps, season: 12 });
    const forecast = await fitted.forecast({ horizon: 2 });
    fitted.dispose();
    expect(forecast.notes).toContain('MSTL + AutoETS (augurs): 2 missing value(s) linearly interpolated before fitting (augurs cannot fit gaps).');
  });

  it('interpolateMissing: interior linear, leading dropped, trailing carried', () => {
    const { values, imputed } = interpolateMissing([Number.NaN, 1, Number.NaN, 3, Number.NaN]);
    expect(Array.from(values)).toEqual([1, 2, 3, 3]);
    expect(imputed).toBe(2);
  });

  it('a disposed model refuses to forecast and dispose is idempotent', async () => {
    const fitted = await createMstl(augurs).fit({ values: monthly });
    fitted.dispose();
    fitted.dispose();
    await expect(fitted.forecast({ horizon: 1 })).rejects.toThrow('model: MSTL + AutoETS (augurs) was disposed');
  });
});
