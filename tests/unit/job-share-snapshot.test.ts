import { describe, expect, it } from 'vitest';
import { buildJobShareSnapshot, JOB_SNAPSHOT_LIMITS, type JobForShare, type JobForecastPayload } from '@/lib/report/job-snapshot';
import { forecastReportSchema } from '@/lib/report/schema';

const job: JobForShare = {
  id: '0b8c1f9e-1111-4222-8333-444455556666',
  kind: 'forecast-batch',
  state: 'completed_with_failures',
  title: 'seasonal-naive x 10,000 series of app, horizon 24',
  totalSeries: 10_000,
  seriesDone: 9_999,
  seriesFailed: 1,
  params: { source: 'app', window: { table: 'metrics', time: 'ts', columns: 'load', entity: 'host' }, model: 'seasonal-naive', horizon: 24, context: 512 },
  summary: { seriesScored: 9999, note: 'x'.repeat(5000), nested: { ignored: true } },
};

function payload({ history, horizon, levels = [0.1, 0.5, 0.9] }: { history: number; horizon: number; levels?: number[] }): JobForecastPayload {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const hour = 3_600_000;
  return {
    model: 'seasonal-naive',
    levels,
    quantiles: levels.map((level) => Array.from({ length: horizon }, (_, step) => step + level)),
    mean: Array.from({ length: horizon }, (_, step) => step + 0.5),
    timestamps: Array.from({ length: horizon }, (_, step) => new Date(start + (history + step) * hour).toISOString()),
    frequency: 'H',
    history: { timestamps: Array.from({ length: history }, (_, index) => new Date(start + index * hour).toISOString()), values: Array.from({ length: history }, (_, index) => (index === 3 ? null : index % 24)) },
    notes: ['a model note'],
  };
}

describe('job share snapshot', () => {
  it('is a ForecastReport of the chosen series with the job summary in its notes', () => {
    const report = buildJobShareSnapshot({ job, seriesId: 'host-7', payload: payload({ history: 96, horizon: 24 }) });
    expect(forecastReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
    expect(report.config).toMatchObject({ source: 'app', table: 'metrics', entity: 'host', series: 'host-7', target: 'load', model: 'seasonal-naive', horizon: 24, context: 512 });
    expect(report.data.values).toHaveLength(96);
    expect(report.data.values[3]).toBeNull();
    expect(report.data.timestampsMs![0]).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(report.forecast.mean[23]).toBe(23.5);
    expect(report.forecast.timestampsMs![0]).toBe(Date.parse('2024-01-05T00:00:00Z'));
    expect(report.forecast.notes[0]).toContain('9,999 of 10,000 series forecast, 1 failed');
    expect(report.forecast.notes[1]).toMatch(/^Job summary: seriesScored: 9999, note: x+…$/);
    expect(report.forecast.notes[1]!.length).toBeLessThanOrEqual(JOB_SNAPSHOT_LIMITS.noteLength);
    expect(report.forecast.notes).toContain('a model note');
    expect(report.title).toContain('host-7');
  });

  it('stays bounded for a long history, the longest horizon and many levels', () => {
    const levels = Array.from({ length: 19 }, (_, index) => (index + 1) / 20);
    const report = buildJobShareSnapshot({ job, seriesId: 's'.repeat(5000), payload: { ...payload({ history: 50_000, horizon: 1024, levels }), notes: Array.from({ length: 100 }, () => 'n'.repeat(10_000)) } });
    expect(report.data.values).toHaveLength(JOB_SNAPSHOT_LIMITS.historyPoints);
    expect(report.forecast.notes.length).toBeLessThanOrEqual(JOB_SNAPSHOT_LIMITS.notes);
    expect(report.title.length).toBeLessThanOrEqual(200);
    const bytes = new TextEncoder().encode(JSON.stringify(report)).length;
    // 19 x 1024 quantiles dominate; far below the share route's default 2 MiB snapshot limit.
    expect(bytes).toBeLessThan(1_000_000);
    expect(forecastReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
  });

  it('refuses jobs without a forecast, naming the kind', () => {
    expect(() => buildJobShareSnapshot({ job: { ...job, kind: 'detect-anomalies' }, seriesId: 'a', payload: payload({ history: 10, horizon: 2 }) })).toThrow(/only forecast-batch jobs.*detect-anomalies job/);
  });
});
