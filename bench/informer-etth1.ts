/**
 * `npm run bench -- informer-etth1 [--minutes 30] [--cells S24,S48,M24,...] [--size tiny|small|medium|large]
 *   [--context auto|paper|<n>] [--lr 1e-3] [--batch 32] [--steps-per-epoch 60] [--validation-windows 256]
 *   [--threads 1] [--seed 2021] [--patience 3] [--schedule halve|cosine|constant] [--merge]`
 *
 * ETTh1 with the paper's protocol (Zhou et al., AAAI'21; Informer2020 data_loader.Dataset_ETT_hour):
 * train/val/test = 12/4/4 months of 30 days (val and test start contextLength rows early), the
 * StandardScaler fitted on the train rows, every sliding test window (stride 1; the reference's
 * test loader also drops the last partial batch, we keep every window), MSE and MAE on the scaled
 * data. Cells: univariate `S` (OT in, OT out) and multivariate `M` (all 7 in and out) at horizons
 * 24, 48, 168, 336, 720. Trained with the app's one trainer (lib/models/informer/trainer.ts) in
 * Node on tfjs wasm, each cell within `--minutes` of training (then the best-validation weights
 * are evaluated on the test windows; evaluation is not counted in the budget but its time is
 * reported). Beside each cell: the paper's Informer numbers, seasonal naive (season 24) on the
 * same windows, and Chronos-Bolt on the same windows when a non-test checkpoint is installed
 * (`npm run models:pull -- amazon/chronos-bolt-small`), "not installed" otherwise.
 *
 * Input lengths: `--context paper` uses the Informer2020 scripts' seq_len/label_len per cell
 * (S: 720/168, 720/336 at 720; M: 48/48, 96/48, 168/168, 168/168, 336/336); `auto` (default)
 * caps them at 96/48 so a step fits this 2-core CPU; a number sets seq_len (label = seq_len / 2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTf } from '@/lib/runtime/tfjs-node';
import {
  createTrainer, ettSplits, fitScaler, InformerModel, informerPreset, sliceSplit, timeMarks, transform, windowCount,
  type InformerConfig, type SeriesSplit,
} from '@/lib/models/informer';
import { seasonalNaivePoint } from '@/lib/models/baselines/seasonal-naive';
import { listInstalledModels } from '@/lib/server/models/store';
import { machine, printTable, writeResult } from './lib/report';
import { existsSync } from 'node:fs';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const minutes = Number(argument('minutes', '30'));
const size = argument('size', 'tiny');
const contextChoice = argument('context', 'auto');
const learningRate = Number(argument('lr', '1e-3'));
const batchSize = Number(argument('batch', '32'));
const stepsPerEpoch = Number(argument('steps-per-epoch', '60'));
const validationWindows = Number(argument('validation-windows', '256'));
const threads = Number(argument('threads', '1'));
const seed = Number(argument('seed', '2021'));
const patience = Number(argument('patience', '3'));
const schedule = argument('schedule', 'halve');
if (!['halve', 'cosine', 'constant'].includes(schedule)) {
  console.error(`informer-etth1: --schedule must be halve, cosine or constant, got "${schedule}"`);
  process.exit(2);
}
const merge = process.argv.includes('--merge');
const HORIZONS = [24, 48, 168, 336, 720] as const;
const ALL_CELLS = [...HORIZONS.map((h) => `S${h}`), ...HORIZONS.map((h) => `M${h}`)];
const cells = argument('cells', ALL_CELLS.join(',')).split(',').map((cell) => cell.trim().toUpperCase());
for (const cell of cells) {
  if (!ALL_CELLS.includes(cell)) {
    console.error(`informer-etth1: unknown cell "${cell}"; cells are ${ALL_CELLS.join(', ')} (S = univariate OT, M = multivariate, number = horizon)`);
    process.exit(2);
  }
}
if (!(minutes > 0)) {
  console.error(`informer-etth1: --minutes must be a positive number, got ${argument('minutes', '')}`);
  process.exit(2);
}

/** AAAI'21 Table 1 (univariate) and Table 2 (multivariate), Informer row: [MSE, MAE]. */
const PAPER: Record<string, [number, number]> = {
  S24: [0.098, 0.247], S48: [0.158, 0.319], S168: [0.183, 0.346], S336: [0.222, 0.387], S720: [0.269, 0.435],
  M24: [0.577, 0.549], M48: [0.685, 0.625], M168: [0.931, 0.752], M336: [1.128, 0.873], M720: [1.215, 0.896],
};
/** Informer2020 scripts/ETTh1.sh: [seq_len, label_len]. */
const PAPER_LENGTHS: Record<string, [number, number]> = {
  S24: [720, 168], S48: [720, 168], S168: [720, 168], S336: [720, 168], S720: [720, 336],
  M24: [48, 48], M48: [96, 48], M168: [168, 168], M336: [168, 168], M720: [336, 336],
};
const SIZES: Record<string, { dModel: number; heads: number; encoderLayers: number; decoderLayers: number; dFeedForward: number }> = {
  tiny: { dModel: 32, heads: 4, encoderLayers: 2, decoderLayers: 1, dFeedForward: 64 },
};

function sizeOf(name: string) {
  if (SIZES[name]) return SIZES[name];
  const preset = informerPreset({ task: 'energy', size: name as 'small', channels: 1 });
  const { dModel, heads, encoderLayers, decoderLayers, dFeedForward } = preset.config;
  return { dModel, heads, encoderLayers, decoderLayers, dFeedForward };
}

function lengthsFor(cell: string): [number, number] {
  const paper = PAPER_LENGTHS[cell]!;
  if (contextChoice === 'paper') return paper;
  if (contextChoice === 'auto') return [Math.min(paper[0], 96), Math.min(paper[1], 48)];
  const n = Number(contextChoice);
  if (!Number.isInteger(n) || n < 8) {
    console.error(`informer-etth1: --context must be auto, paper or an integer >= 8, got ${contextChoice}`);
    process.exit(2);
  }
  return [n, Math.floor(n / 2)];
}

// ETTh1: date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT (naive local timestamps, read as UTC like pandas).
const csv = readFileSync(path.resolve('data/samples/ETTh1.csv'), 'utf8').trim().split('\n');
const header = csv[0]!.split(',');
const rowCount = csv.length - 1;
const allValues = new Float64Array(rowCount * 7);
const timestamps = new Array<number>(rowCount);
for (let r = 0; r < rowCount; r++) {
  const fields = csv[r + 1]!.split(',');
  timestamps[r] = Date.parse(`${fields[0]!.replace(' ', 'T')}Z`);
  for (let c = 0; c < 7; c++) allValues[r * 7 + c] = Number(fields[c + 1]);
}
if (header.join(',') !== 'date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT') throw new Error(`unexpected ETTh1 header ${header.join(',')}`);

function columns(channels: number): Float64Array {
  if (channels === 7) return allValues;
  return Float64Array.from({ length: rowCount }, (_, r) => allValues[r * 7 + 6]!);
}

function seasonalNaiveScores(test: SeriesSplit, config: InformerConfig): { mse: number; mae: number } {
  const { contextLength: L, horizon } = config;
  const C = test.channels;
  let squared = 0;
  let absolute = 0;
  let n = 0;
  const windows = windowCount(test, config);
  const history = new Float64Array(L);
  for (let start = 0; start < windows; start++) {
    for (let c = 0; c < C; c++) {
      for (let t = 0; t < L; t++) history[t] = test.values[(start + t) * C + c]!;
      const point = seasonalNaivePoint(history, 24, horizon);
      for (let s = 0; s < horizon; s++) {
        const error = point[s]! - test.values[(start + L + s) * C + c]!;
        squared += error * error;
        absolute += Math.abs(error);
        n++;
      }
    }
  }
  return { mse: squared / n, mae: absolute / n };
}

/** Chronos-Bolt on the same test windows (scaled with the same scaler), when an official checkpoint is installed. */
async function chronosScores(test: SeriesSplit, config: InformerConfig, scaler: { mean: number[]; std: number[] }): Promise<{ model: string; mse: number; mae: number; seconds: number } | 'not installed'> {
  const installed = listInstalledModels().find((model) => !model.info.testOnly);
  if (!installed) return 'not installed';
  const { createNodeOnnxSession } = await import('@/lib/runtime/onnx-node');
  const { createChronosRuntime } = await import('@/lib/runtime/onnx-session');
  const { ChronosBoltPipeline, modelFileFor } = await import('@/lib/models/chronos-bolt');
  const file = modelFileFor(installed.manifest);
  const session = await createNodeOnnxSession(path.join(installed.directory, file.name), { intraOpNumThreads: threads });
  const started = performance.now();
  try {
    const pipeline = new ChronosBoltPipeline(installed.manifest.config, createChronosRuntime(session), { maxBatch: 32 });
    const { contextLength: L, horizon } = config;
    const C = test.channels;
    const windows = windowCount(test, config);
    let squared = 0;
    let absolute = 0;
    let n = 0;
    for (let start = 0; start < windows; start += 64) {
      const contexts: Float64Array[] = [];
      const keys: [number, number][] = [];
      for (let w = start; w < Math.min(windows, start + 64); w++) {
        for (let c = 0; c < C; c++) {
          // Chronos reads original units: undo the scaling of the context, scale its median back.
          const column = scaler.mean.length - C + c;
          contexts.push(Float64Array.from({ length: L }, (_, t) => test.values[(w + t) * C + c]! * scaler.std[column]! + scaler.mean[column]!));
          keys.push([w, c]);
        }
      }
      const result = await pipeline.predictQuantiles(contexts, horizon, [0.5]);
      keys.forEach(([w, c], index) => {
        const column = scaler.mean.length - C + c;
        for (let s = 0; s < horizon; s++) {
          const predicted = (result.quantiles[index]![s]![0]! - scaler.mean[column]!) / scaler.std[column]!;
          const error = predicted - test.values[(w + L + s) * C + c]!;
          squared += error * error;
          absolute += Math.abs(error);
          n++;
        }
      });
    }
    return { model: `${installed.info.id}@${installed.info.revision} (median, context ${L})`, mse: squared / n, mae: absolute / n, seconds: (performance.now() - started) / 1000 };
  } finally {
    await session.release();
  }
}

const tf = await loadTf('wasm', { wasmThreads: threads });
const trainer = createTrainer(tf);
const architecture = sizeOf(size);
const results: Record<string, unknown>[] = [];
const loadBefore = (await import('node:os')).loadavg();

for (const cell of cells) {
  const channels = cell.startsWith('S') ? 1 : 7;
  const horizon = Number(cell.slice(1));
  const [contextLength, labelLength] = lengthsFor(cell);
  const config: InformerConfig = {
    encoderInputs: channels, decoderInputs: channels, outputs: channels, contextLength, labelLength, horizon,
    factor: 5, ...architecture, dropout: 0.05, attention: 'prob', timeEmbedding: 'timeF', frequency: 'h', activation: 'gelu', distil: true, mix: true,
  };
  const values = columns(channels);
  const borders = ettSplits(contextLength);
  const scaler = fitScaler(values, channels, borders.train[0], borders.train[1]);
  const scaled = transform(scaler, values, channels);
  const marks = timeMarks(timestamps, config);
  const split = (range: [number, number]) => sliceSplit(scaled, marks, channels, 4, range);
  const data = { train: split(borders.train), validation: split(borders.validation) };
  const test = split(borders.test);
  const training = { epochs: 1000, batchSize, learningRate, schedule: schedule as 'halve' | 'cosine' | 'constant', patience, clipNorm: 1, seed, maxStepsPerEpoch: stepsPerEpoch, maxValidationWindows: validationWindows, maxSeconds: minutes * 60 };
  console.error(`${cell}: seq ${contextLength}, label ${labelLength}, horizon ${horizon}, ${channels} channel(s); ${windowCount(data.train, config)} train / ${windowCount(test, config)} test windows; budget ${minutes} min`);
  const started = performance.now();
  const result = await trainer.train({ model: config, training }, data, {
    onProgress: (progress) => {
      if (progress.kind === 'epoch') console.error(`  epoch ${progress.record.epoch + 1}: train ${progress.record.trainLoss.toFixed(4)}, val ${progress.record.validationLoss.toFixed(4)}, lr ${progress.record.learningRate.toExponential(1)}, ${progress.record.seconds.toFixed(0)} s`);
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const evaluationStarted = performance.now();
  const best = InformerModel.fromWeights(tf, config, result.parameters);
  const scores = await trainer.evaluate(best, test, { batchSize: 64, seed: 0 });
  best.dispose();
  const evaluationSeconds = (performance.now() - evaluationStarted) / 1000;
  const naive = seasonalNaiveScores(test, config);
  const chronos = await chronosScores(test, config, scaler);
  const steps = result.stepLosses.length;
  const [paperMse, paperMae] = PAPER[cell]!;
  const entry = {
    cell, features: channels === 1 ? 'S (OT)' : 'M (7)', horizon, contextLength, labelLength,
    config: { ...architecture, factor: 5, dropout: 0.05, attention: 'prob', distil: true, mix: true, timeEmbedding: 'timeF', batchSize, learningRate, schedule: schedule === 'halve' ? 'halve per epoch' : schedule, patience, epochSteps: stepsPerEpoch, clipNorm: 1, validationWindows },
    epochs: result.history.length, steps, trainWindowsSeen: steps * batchSize, trainWindows: windowCount(data.train, config),
    bestEpoch: result.bestEpoch + 1, stoppedByBudget: result.stoppedByBudget, stoppedEarly: result.stoppedEarly,
    trainSeconds: Math.round(trainSeconds), evaluationSeconds: Math.round(evaluationSeconds),
    testWindows: scores.windows, informer: { mse: scores.mse, mae: scores.mae }, paper: { mse: paperMse, mae: paperMae },
    beatsPaper: { mse: scores.mse < paperMse, mae: scores.mae < paperMae },
    seasonalNaive: naive, chronosBolt: chronos, validation: result.validation,
  };
  results.push(entry);
  console.error(`  test MSE ${scores.mse.toFixed(3)} MAE ${scores.mae.toFixed(3)} (paper ${paperMse}/${paperMae}; seasonal naive ${naive.mse.toFixed(3)}/${naive.mae.toFixed(3)}); ${steps} steps, ${Math.round(trainSeconds)} s`);
}

const f3 = (x: number) => x.toFixed(3);
printTable({
  columns: ['cell', 'seq/label', 'epochs', 'steps', 'train s', 'ours MSE/MAE', 'paper MSE/MAE', 'seasonal naive', 'Chronos-Bolt'],
  rows: results.map((r) => {
    const e = r as { cell: string; contextLength: number; labelLength: number; epochs: number; steps: number; trainSeconds: number; informer: { mse: number; mae: number }; paper: { mse: number; mae: number }; seasonalNaive: { mse: number; mae: number }; chronosBolt: { mse: number; mae: number } | string };
    return [e.cell, `${e.contextLength}/${e.labelLength}`, e.epochs, e.steps, e.trainSeconds, `${f3(e.informer.mse)}/${f3(e.informer.mae)}`, `${e.paper.mse}/${e.paper.mae}`,
      `${f3(e.seasonalNaive.mse)}/${f3(e.seasonalNaive.mae)}`, typeof e.chronosBolt === 'string' ? e.chronosBolt : `${f3(e.chronosBolt.mse)}/${f3(e.chronosBolt.mae)}`];
  }),
});

const resultFile = path.resolve('bench/results/informer-etth1.json');
let previous: Record<string, unknown>[] = [];
if (merge && existsSync(resultFile)) previous = (JSON.parse(readFileSync(resultFile, 'utf8')) as { results: Record<string, unknown>[] }).results.filter((r) => !cells.includes(r.cell as string));
const notRun = ALL_CELLS.filter((cell) => ![...previous, ...results].some((r) => r.cell === cell));
const file = writeResult('informer-etth1', {
  protocol: 'ETTh1, train/val/test 12/4/4 months of 30 days, StandardScaler fitted on train, every sliding test window (stride 1), MSE and MAE on the scaled data; S = OT only, M = all 7 columns in and out',
  runtime: `tfjs wasm in Node, ${threads} thread(s)`, budgetMinutesPerCell: minutes, size, context: contextChoice, seed,
  loadAverageBefore: loadBefore, loadAverageAfter: (await import('node:os')).loadavg(), host: machine(),
  results: [...previous, ...results].sort((a, b) => ALL_CELLS.indexOf(a.cell as string) - ALL_CELLS.indexOf(b.cell as string)),
  notRun,
});
console.log(`wrote ${file}${notRun.length ? `; cells not run: ${notRun.join(', ')}` : ''}`);
