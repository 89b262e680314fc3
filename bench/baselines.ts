import { readFileSync } from 'node:fs';
import { backtestWindows, sliceWindow } from '@/lib/core/backtest';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { mase, relativeGeometricMean } from '@/lib/core/metrics';
import { pointForecast } from '@/lib/core/forecast';
import { BASELINE_MODELS, createBaselineModel, forecastSeries } from '@/lib/models';
import { loadAugursNode } from '@/lib/runtime/augurs-node';
import { printTable, writeResult } from './lib/report';

/**
 * npm run bench -- baselines [--context 720] [--models auto-arima] (seasonal naive always runs: it is the reference)
 * Rolling-origin backtest of every baseline on the shipped hourly sample (ETTh1 OT): the last
 * 10 windows of 24 hours, each model fitted on the `context` hours before its window (default
 * 720, 30 days: the lengths the batch had), season from the hourly frequency. Reports
 * each model's MASE (season 24) per window and the geometric mean over windows of its MASE
 * relative to seasonal naive's, side by side in one run.
 */
const contextArgument = process.argv.indexOf('--context');
const context = contextArgument > 0 ? Number(process.argv[contextArgument + 1]) : 720;
const modelsArgument = process.argv.indexOf('--models');
const only = modelsArgument > 0 ? new Set(['seasonal-naive', ...process.argv[modelsArgument + 1]!.split(',')]) : null;
const WINDOWS = 10;
const HORIZON = 24;
const SEASON = 24;

const lines = readFileSync('data/samples/ETTh1.csv', 'utf8').trim().split('\n');
const header = lines[0]!.split(',');
const column = header.indexOf('OT');
const values = lines.slice(1).map((line) => Number(line.split(',')[column]));
const frequency = frequencyFromLabel('1h');
const windows = backtestWindows(values.length, { windows: WINDOWS, step: HORIZON, horizon: HORIZON, context });

const rows: { model: string; label: string; mase: number[]; fitMs: number }[] = [];
for (const info of BASELINE_MODELS.filter((entry) => !only || only.has(entry.id))) {
  const model = await createBaselineModel(info.id, { augurs: loadAugursNode });
  const scores: number[] = [];
  let fitMs = 0;
  for (const window of windows) {
    const { context: history, actual } = sliceWindow(values, window);
    const run = await forecastSeries({ model, values: history, frequency, horizon: HORIZON, quantileLevels: [0.1, 0.5, 0.9] });
    fitMs += run.fitMs + run.forecastMs;
    scores.push(mase(actual, pointForecast(run.forecast), history, SEASON));
    console.error(`bench baselines: ${info.id} window ${scores.length}/${windows.length} ${Math.round(run.fitMs + run.forecastMs)} ms`);
  }
  rows.push({ model: info.id, label: info.label, mase: scores, fitMs });
  console.error(`bench baselines: ${info.id} done`);
}
const naive = rows.find((row) => row.model === 'seasonal-naive')!;
const table = rows.map((row) => ({
  model: row.model,
  label: row.label,
  meanMase: row.mase.reduce((a, b) => a + b, 0) / row.mase.length,
  relativeMase: relativeGeometricMean(row.mase, naive.mase),
  msPerWindow: row.fitMs / WINDOWS,
  maseByWindow: row.mase,
}));
printTable({
  columns: ['model', 'geo-mean MASE rel. to seasonal naive', 'mean MASE', 'ms per window'],
  rows: table.map((row) => [row.model, row.relativeMase.toFixed(3), row.meanMase.toFixed(3), Math.round(row.msPerWindow)]),
});
const file = writeResult(only ? `baselines-${[...only].filter((id) => id !== 'seasonal-naive').join('-')}` : 'baselines', {
  data: 'data/samples/ETTh1.csv, column OT (hourly)',
  protocol: { windows: WINDOWS, horizon: HORIZON, step: HORIZON, context, season: SEASON, frequency: '1h', point: 'median (0.5 quantile)', metric: 'MASE (seasonal scale, m = 24, on each window\'s context); relative = geometric mean over windows of model MASE / seasonal naive MASE' },
  models: table,
});
console.log(`wrote ${file}`);
