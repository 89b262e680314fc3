import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '@/app/api/forecast/route';

/**
 * Many series per request through POST /api/forecast and `npm run forecast`: per-series results
 * and errors (contract version 2), partial status, and a CLI whose piped output is complete.
 */
async function post(body: unknown) {
  const response = await POST(new Request('http://localhost/api/forecast', { method: 'POST', body: JSON.stringify(body) }));
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const tsxCli = ['node_modules/tsx/dist/cli.mjs', '--conditions=react-server', 'scripts/forecast.ts'];

// 414 hourly-like series (as in the issue), one of them poisoned: all values missing.
const seriesCount = 414;
function hourly(seed: number, length = 96): number[] {
  return Array.from({ length }, (_, t) => 50 + seed + 10 * Math.sin((2 * Math.PI * t) / 24) + ((t * 7919 + seed * 104729) % 17) / 17);
}
const poisonedIndex = 200;
const batch = Array.from({ length: seriesCount }, (_, index) => ({ id: `station-${index}`, values: index === poisonedIndex ? [null, null, null] : hourly(index) }));

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'lookahead-batch-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('POST /api/forecast with many series (contract version 2)', () => {
  it('answers N-1 forecasts and one named error with 207 when one series is poisoned', async () => {
    const { status, json } = await post({ model: 'seasonal-naive', horizon: 24, frequency: '1h', levels: [0.1, 0.5, 0.9], series: batch });
    expect(status).toBe(207);
    expect(json.version).toBe(2);
    expect(json.partial).toBe(true);
    expect(json.forecasts).toHaveLength(seriesCount);
    expect(json.forecasts.filter((entry: unknown) => entry !== null)).toHaveLength(seriesCount - 1);
    expect(json.forecasts[poisonedIndex]).toBeNull();
    expect(json.errors).toEqual([
      {
        index: poisonedIndex,
        id: `station-${poisonedIndex}`,
        code: 'bad_input',
        message: `model: series.${poisonedIndex} (id "station-${poisonedIndex}"): seasonal naive needs at least one observed value; the series is empty or all missing`,
      },
    ]);
    // Each answer stays with its series: season 24 repeats the last day of that series.
    const last = hourly(poisonedIndex + 1);
    expect(json.forecasts[poisonedIndex + 1].id).toBe(`station-${poisonedIndex + 1}`);
    expect(json.forecasts[poisonedIndex + 1].quantiles[1]).toEqual(last.slice(-24));
  });

  it('answers 200 with partial false and no errors when every series succeeds', async () => {
    const { status, json } = await post({ model: 'seasonal-naive', horizon: 2, series: [{ values: [1, 2, 3] }, { values: [4, 5] }] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ version: 2, partial: false, errors: [] });
    expect(json.forecasts.map((entry: any) => entry.mean)).toEqual([[3, 3], [5, 5]]);
  });

  it('fails the request (4xx, every error in details) when every series fails', async () => {
    const { status, json } = await post({ model: 'seasonal-naive', horizon: 2, series: [{ values: [null] }, { id: 'b', values: [null, null] }] });
    expect(status).toBe(400);
    expect(json.error.message).toBe('model: all 2 series failed; the first: series.0: seasonal naive needs at least one observed value; the series is empty or all missing');
    expect(json.error.details.errors.map((entry: any) => [entry.index, entry.id])).toEqual([[0, undefined], [1, 'b']]);
  });

  it('keeps version 1 (all or nothing) for callers that ask for it', async () => {
    const { status, json } = await post({ version: 1, model: 'seasonal-naive', horizon: 2, series: [{ values: [1, 2] }, { values: [null] }] });
    expect(status).toBe(400);
    expect(json.error.message).toBe('model: series.1: seasonal naive needs at least one observed value; the series is empty or all missing');
    const ok = await post({ version: 1, model: 'seasonal-naive', horizon: 1, series: [{ values: [1, 2] }] });
    expect(ok.status).toBe(200);
    expect(ok.json).not.toHaveProperty('version');
    expect(ok.json).not.toHaveProperty('errors');
  });

  it('rejects an unknown version and a bad season by name', async () => {
    expect((await post({ version: 3, model: 'seasonal-naive', horizon: 1, series: [{ values: [1] }] })).json.error.message).toContain('version: version must be 1 (all or nothing) or 2');
    const season = await post({ model: 'seasonal-naive', horizon: 1, season: 0, series: [{ values: [1] }] });
    expect(season.status).toBe(400);
    expect(season.json.error.message).toContain('season: season must be at least 1 (1 = no season)');
  });
});

describe('npm run forecast with many series', () => {
  it('writes a >1 MB answer completely through a pipe to a slow reader', () => {
    const input = path.join(directory, 'big.json');
    const big = Array.from({ length: seriesCount }, (_, index) => ({ values: hourly(index, 200) }));
    writeFileSync(input, JSON.stringify({ series: big }));
    // The reader sleeps first, so the pipe (64 KiB) is full when the CLI finishes writing.
    const command = `${JSON.stringify(process.execPath)} ${tsxCli.join(' ')} --model seasonal-naive --horizon 48 --frequency 1h --input ${JSON.stringify(input)} | (sleep 1; cat)`;
    const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(1024 * 1024);
    const json = JSON.parse(result.stdout);
    expect(json.forecasts).toHaveLength(seriesCount);
    expect(json.forecasts[seriesCount - 1].quantiles[4]).toEqual(hourly(seriesCount - 1, 200).slice(-24).concat(hourly(seriesCount - 1, 200).slice(-24)));
  }, 120_000);

  // The issue's own check: the CLI's answer for 414 series, one poisoned, piped straight into jq.
  it.skipIf(spawnSync('jq', ['--version']).status !== 0)('pipes a 414-series answer (>1 MB, one poisoned series) through jq: 413 forecasts and one named error', () => {
    const input = path.join(directory, 'poisoned.json');
    writeFileSync(input, JSON.stringify({ series: batch }));
    const copy = path.join(directory, 'poisoned-answer.json');
    const command = `set -o pipefail; ${JSON.stringify(process.execPath)} ${tsxCli.join(' ')} --model seasonal-naive --horizon 48 --frequency 1h --input ${JSON.stringify(input)} | tee ${JSON.stringify(copy)} | jq -c '[(.forecasts | length), ([.forecasts[] | select(. != null)] | length), (.errors | map([.index, .id]))]'`;
    const result = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
    // exit 3 (some series failed) comes through pipefail from the CLI; jq itself parsed everything.
    expect(result.status, result.stderr).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual([seriesCount, seriesCount - 1, [[poisonedIndex, `station-${poisonedIndex}`]]]);
    expect(statSync(copy).size).toBeGreaterThan(1024 * 1024);
  }, 120_000);

  it('exits 3 with the answer on stdout when some series failed', () => {
    const result = spawnSync(process.execPath, [...tsxCli, '--model', 'seasonal-naive', '--horizon', '3', '--season', '2', '--input', '-'], {
      encoding: 'utf8',
      input: JSON.stringify({ series: [{ values: [1, 2, 3, 4] }, { id: 'bad', values: [null] }] }),
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('forecast: 1 of 2 series failed; see "errors" in the answer');
    const json = JSON.parse(result.stdout);
    expect(json.forecasts[0].mean).toEqual([3, 4, 3]);
    expect(json.errors[0]).toMatchObject({ index: 1, id: 'bad', code: 'bad_input' });
  }, 60_000);
});
