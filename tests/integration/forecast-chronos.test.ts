import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { checkpointDir, loadGolden } from '../support/chronos-golden';

/**
 * Chronos-Bolt behind POST /api/forecast and `npm run forecast`, on onnxruntime-node, against the
 * golden outputs of the original Python pipeline (tolerance: the golden README's 1e-4 relative
 * with a floor of 1e-4 x (|loc| + scale); here a flat 1e-4 x the series' range, which is looser
 * than neither for these inputs).
 */
const golden = loadGolden('tiny-random');
let modelsDir: string;
let POST: (request: Request) => Promise<Response>;

function nullable(values: (number | null)[]): (number | null)[] {
  return values.map((value) => (value === null || Number.isNaN(value) ? null : value));
}

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-models-'));
  await convertCheckpointDir({ checkpointDir: checkpointDir('tiny-random'), outDir: path.join(modelsDir, 'tiny-random', 'golden'), revision: 'golden', id: 'tiny-random' });
  process.env.LOOKAHEAD_MODELS_DIR = modelsDir;
  ({ POST } = await import('@/app/api/forecast/route'));
});
afterAll(() => {
  delete process.env.LOOKAHEAD_MODELS_DIR;
  rmSync(modelsDir, { recursive: true, force: true });
});

async function forecast(body: unknown) {
  const response = await POST(new Request('http://localhost/api/forecast', { method: 'POST', body: JSON.stringify(body) }));
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

function expectClose(actual: number[], expected: number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(tolerance));
}

describe('Chronos-Bolt on the server (onnxruntime-node)', () => {
  it('answers the golden predict_default for every input, batched in one request', async () => {
    const names = ['seasonal_300', 'nans_200', 'short_10', 'long_1000', 'constant_50', 'all_nan_20'] as const;
    const series = names.map((name) => ({ values: nullable(golden.inputs[name] as (number | null)[]) }));
    const { status, json } = await forecast({ model: 'tiny-random', horizon: 64, series });
    expect(status).toBe(200);
    expect(json.model).toMatchObject({ id: 'tiny-random', revision: 'golden' });
    expect(json.model.label).toContain('test checkpoint');
    expect(json.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.runtime).toBe('onnxruntime-node (cpu)');
    names.forEach((name, index) => {
      const expected = (golden.goldens.single_series[name].predict_default as number[][][])[0]!; // [9][64]
      const finite = (golden.inputs[name] as (number | null)[]).filter((v): v is number => v !== null);
      const range = finite.length ? Math.max(...finite) - Math.min(...finite) : 1;
      for (let level = 0; level < 9; level++) expectClose(json.forecasts[index].quantiles[level], expected[level]!, 1e-4 * Math.max(1, range));
    });
  });

  it('answers an all-missing series as the reference does (loc 0, scale 1: the model prior)', async () => {
    const { status, json } = await forecast({ model: 'tiny-random', horizon: 7, series: [{ values: nullable(golden.inputs.all_nan_20 as (number | null)[]) }] });
    expect(status).toBe(200);
    const expected = (golden.goldens.single_series.all_nan_20.predict_7 as number[][][])[0]!;
    expectClose(json.forecasts[0].quantiles[4], expected[4]!, 1e-4);
    expect(json.forecasts[0].notes).toContain("every value is missing: the forecast is the model's prior, not data-driven");
  });

  it('uses the long-horizon path beyond 64 steps (horizon 150)', async () => {
    const { json } = await forecast({ model: 'tiny-random', horizon: 150, levels: [0.1, 0.5, 0.9], series: [{ values: nullable(golden.inputs.seasonal_300 as (number | null)[]) }] });
    const expected = (golden.goldens.single_series.seasonal_300.predict_150 as number[][][])[0]!;
    const finite = (golden.inputs.seasonal_300 as number[]).filter((v) => v !== null);
    const range = Math.max(...finite) - Math.min(...finite);
    // 5e-4 relative on the 81-sample reduction (golden README).
    expectClose(json.forecasts[0].quantiles[1], expected[4]!, 5e-4 * range);
    expectClose(json.forecasts[0].quantiles[0], expected[0]!, 5e-4 * range);
  });

  it('npm run forecast takes a converted model directory and prints the same JSON', () => {
    const input = path.join(modelsDir, 'input.json');
    writeFileSync(input, JSON.stringify({ series: [{ values: golden.inputs.short_10 }] }));
    const result = spawnSync(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', '--conditions=react-server', 'scripts/forecast.ts', '--model', path.join(modelsDir, 'tiny-random', 'golden'), '--horizon', '7', '--levels', '0.1,0.5,0.9', '--input', input],
      { encoding: 'utf8', env: { ...process.env, LOOKAHEAD_MODELS_DIR: path.join(modelsDir, 'none') } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.levels).toEqual([0.1, 0.5, 0.9]);
    const expected = (golden.goldens.single_series.short_10.predict_7 as number[][][])[0]!;
    const finite = (golden.inputs.short_10 as number[]).filter((v) => v !== null);
    expectClose(json.forecasts[0].quantiles[1], expected[4]!, 1e-4 * (Math.max(...finite) - Math.min(...finite)));
  });

  it('npm run forecast names an unknown model and exits non-zero', () => {
    const result = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', '--conditions=react-server', 'scripts/forecast.ts', '--model', 'nope', '--horizon', '3', '--input', '-'], {
      encoding: 'utf8',
      input: '{"series":[{"values":[1,2,3]}]}',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('model: unknown model "nope"; available: seasonal-naive, auto-ets, theta, auto-arima, mstl');
  });
});
