import { describe, expect, it } from 'vitest';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { createSeasonalNaive, forecastBatch, type BatchOutcome } from '@/lib/models';

describe('forecastBatch (the per-series runner)', () => {
  it('keeps going past a failing series and reports each outcome in order', async () => {
    const seen: number[] = [];
    const outcomes = await forecastBatch({
      model: createSeasonalNaive(),
      series: [{ values: [1, 2, 3, 4] }, { id: 'empty', values: [Number.NaN] }, { values: [5, 6, 7, 8] }],
      horizon: 2,
      season: 2,
      onOutcome: (outcome) => {
        seen.push(outcome.index);
      },
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    const failed = outcomes[1] as Extract<BatchOutcome, { ok: false }>;
    expect(failed).toMatchObject({ index: 1, id: 'empty', error: { code: 'bad_input', subsystem: 'model' } });
    expect(failed.error.message).toBe('model: series.1 (id "empty"): seasonal naive needs at least one observed value; the series is empty or all missing');
    expect((outcomes[2] as Extract<BatchOutcome, { ok: true }>).run.forecast.mean).toEqual([7, 8]);
  });

  it('infers each series frequency from its timestamps unless one is declared', async () => {
    const day = 86_400_000;
    const daily = Array.from({ length: 15 }, (_, t) => t * day);
    const values = Array.from({ length: 15 }, (_, t) => t % 7);
    const [inferred] = await forecastBatch({ model: createSeasonalNaive(), series: [{ values, timestampsMs: daily }], horizon: 1 });
    expect((inferred as Extract<BatchOutcome, { ok: true }>).run.forecast.mean).toEqual([values[15 - 7]]);
    expect((inferred as Extract<BatchOutcome, { ok: true }>).run.timestampsMs).toEqual([15 * day]);
    const [declared] = await forecastBatch({ model: createSeasonalNaive(), series: [{ values, timestampsMs: daily }], horizon: 1, frequency: frequencyFromLabel('1h') });
    expect((declared as Extract<BatchOutcome, { ok: true }>).run.timestampsMs).toEqual([14 * day + 3_600_000]);
  });

  it('an internal error is kept per series with a generic message, and the original goes to onInternalError', async () => {
    const broken = { info: { id: 'broken', family: 'baseline' as const, label: 'Broken' }, fit: async () => { throw new TypeError('boom'); } };
    const logged: unknown[] = [];
    const [outcome] = await forecastBatch({ model: broken, series: [{ values: [1] }], horizon: 1, onInternalError: (error) => logged.push(error) });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal', message: 'forecast: series.0: internal error while forecasting this series; see the server log' } });
    expect((logged[0] as Error).message).toBe('boom');
  });

  it('cancellation stops the whole batch', async () => {
    const controller = new AbortController();
    const run = forecastBatch({
      model: createSeasonalNaive(),
      series: [{ values: [1, 2] }, { values: [3, 4] }],
      horizon: 1,
      signal: controller.signal,
      onOutcome: () => controller.abort(),
    });
    await expect(run).rejects.toThrow();
  });
});
