import { describe, expect, it } from 'vitest';
import { advisePlacement, BROWSER_BUDGET_SECONDS } from '@/lib/client/job-placement';
import { jobRequestFromConfig } from '@/lib/client/job-request';
import { parseForecastConfig } from '@/lib/config';

const naive = { id: 'seasonal-naive', family: 'baseline' as const };
const small = { id: 'chronos-bolt-small', family: 'chronos-bolt' as const };

describe('browser or server', () => {
  it('one series of a baseline stays in the browser', () => {
    const advice = advisePlacement({ series: 1, windows: 1, models: [naive], webgpu: false });
    expect(advice.placement).toBe('browser');
    expect(advice.reason).toContain('1 series x 1 window x seasonal-naive');
  });

  it('10,000 series of Chronos-Bolt-small without WebGPU go to the server, with the estimate as the reason', () => {
    const advice = advisePlacement({ series: 10_000, windows: 1, models: [small], webgpu: false });
    expect(advice.placement).toBe('server');
    expect(advice.browserSeconds).toBeGreaterThan(BROWSER_BUDGET_SECONDS);
    expect(advice.reason).toMatch(/10,000 series .* about \d+ min in this browser on WASM \(no WebGPU\)/);
  });

  it('WebGPU moves the line: the same work that needs the server on WASM fits in the browser with WebGPU', () => {
    const work = { series: 1000, windows: 1, models: [small] };
    expect(advisePlacement({ ...work, webgpu: false }).placement).toBe('server');
    expect(advisePlacement({ ...work, webgpu: true }).placement).toBe('browser');
  });

  it('backtest windows multiply the work', () => {
    const one = advisePlacement({ series: 100, windows: 1, models: [naive, small], webgpu: false });
    const ten = advisePlacement({ series: 100, windows: 10, models: [naive, small], webgpu: false });
    expect(ten.browserSeconds).toBeCloseTo(one.browserSeconds * 10, 6);
  });
});

describe('job request from the configuration', () => {
  const config = parseForecastConfig({
    version: 1,
    source: 'metrics',
    table: 'public.load',
    time: 'ts',
    entity: 'meter',
    series: 'm1',
    target: 'kw',
    window: { start: '2024-01-01T00:00:00Z', end: null },
    filters: { min: 0, max: null, excludeNulls: true },
    downsample: { bucket: '1h', agg: 'max' },
    model: 'chronos-bolt-small',
    context: 256,
    horizon: 48,
    quantileLevels: [0.1, 0.5, 0.9],
    backtest: { windows: 4, step: 24, models: [] },
  });

  it('a forecast job names the same window for every series of the table', () => {
    expect(jobRequestFromConfig(config, 'forecast-batch')).toEqual({
      kind: 'forecast-batch',
      params: {
        source: 'metrics',
        window: { table: 'public.load', time: 'ts', columns: 'kw', entity: 'meter', start: '2024-01-01T00:00:00Z', min: '0', excludeNulls: 'true', bucket: '1h', agg: 'max' },
        horizon: 48,
        levels: [0.1, 0.5, 0.9],
        context: 256,
        model: 'chronos-bolt-small',
      },
    });
  });

  it('a backtest job compares every offered model when the configuration names none', () => {
    const request = jobRequestFromConfig(config, 'backtest-batch', { allModels: ['seasonal-naive', 'chronos-bolt-small'] });
    expect(request.params).toMatchObject({ models: ['seasonal-naive', 'chronos-bolt-small'], windows: 4, step: 24 });
  });

  it('a CSV kept only in the tab cannot run on the server, and says so', () => {
    expect(() => jobRequestFromConfig({ ...config, source: 'upload:x.csv' }, 'forecast-batch')).toThrow(/kept only in this tab/);
  });
});
