import { beforeAll, describe, expect, it } from 'vitest';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { createMstl, createSeasonalNaive, type AugursLike } from '@/lib/models/baselines';
import { fittableSeason, wantedSeason } from '@/lib/models/baselines/season';
import { loadAugursNode } from '@/lib/runtime/augurs-node';

let augurs: AugursLike;
beforeAll(async () => {
  augurs = await loadAugursNode();
});

const hourly = Array.from({ length: 700 }, (_, t) => 20 + 5 * Math.sin((2 * Math.PI * t) / 24) + ((t * 7919) % 11) / 11);

describe('season handling', () => {
  it('takes the season given, else the frequency default, else none', () => {
    expect(wantedSeason({ values: [], season: 7, frequency: frequencyFromLabel('1h') })).toEqual({ season: 7, source: 'season' });
    expect(wantedSeason({ values: [], frequency: frequencyFromLabel('1h') })).toEqual({ season: 24, source: 'frequency' });
    expect(wantedSeason({ values: [] })).toEqual({ season: 1, source: 'none' });
  });

  it('drops a season the data is too short for, with a note that says what to do', () => {
    const notes: string[] = [];
    expect(fittableSeason({ values: [], frequency: frequencyFromLabel('1M') }, 'AutoETS', 20, notes, { minCycles: 2 })).toBe(1);
    expect(notes).toEqual(['AutoETS: 20 values are fewer than 2 seasons of 12 (the monthly default); fitted without a season. Give more data or a shorter --season.']);
  });

  it('MSTL without frequency or season falls back to non-seasonal AutoETS and says so (never "periods must be at least 2")', async () => {
    const fitted = await createMstl(augurs).fit({ values: hourly });
    const forecast = await fitted.forecast({ horizon: 24 });
    fitted.dispose();
    expect(forecast.notes!.join(' ')).toContain('MSTL: no season (the series has no frequency and no season was given), so this is non-seasonal AutoETS; pass --frequency');
    expect(forecast.mean.every(Number.isFinite)).toBe(true);
  });

  it('MSTL uses the season given instead of the frequency default', async () => {
    const fitted = await createMstl(augurs).fit({ values: hourly, season: 24 });
    const forecast = await fitted.forecast({ horizon: 24, quantileLevels: [0.5] });
    fitted.dispose();
    expect(forecast.notes ?? []).toEqual([]);
    // The daily cycle is followed: the forecast's range spans most of the 10-unit swing.
    const median = forecast.quantiles[0]!;
    expect(Math.max(...median) - Math.min(...median)).toBeGreaterThan(7);
  });

  it('MSTL notes a season longer than half the data and still forecasts', async () => {
    const fitted = await createMstl(augurs).fit({ values: hourly.slice(0, 40), season: 24 });
    const forecast = await fitted.forecast({ horizon: 4 });
    fitted.dispose();
    expect(forecast.notes).toContain('MSTL: seasonal period(s) 24 need at least two cycles of data (40 values); left out.');
  });

  it('seasonal naive without frequency or season is naive, and says how to give a season', async () => {
    const forecast = await (await createSeasonalNaive().fit({ values: [1, 2, 3] })).forecast({ horizon: 2 });
    expect(forecast.mean).toEqual([3, 3]);
    expect(forecast.notes).toEqual(['Seasonal naive: no season (the series has no frequency and no season was given), so this is naive (the last value); pass --frequency/"frequency", timestamps, or --season/"season".']);
  });

  it('seasonal naive repeats the season given', async () => {
    const fitted = await createSeasonalNaive().fit({ values: [1, 2, 3, 4, 5, 6], season: 3 });
    expect((await fitted.forecast({ horizon: 4 })).mean).toEqual([4, 5, 6, 4]);
  });
});
