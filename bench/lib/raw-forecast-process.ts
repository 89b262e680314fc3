/**
 * One raw Chronos-Bolt session in a process of its own (`npm run bench -- jobs`): the machine's own
 * ceiling for N worker processes, with no queue, database or I/O. Reads the contexts (float64,
 * `length` points each) from a file, warms up, says "ready", runs every batch once "go" arrives on
 * stdin, and prints {"series", "seconds", "cpuMs"} as JSON.
 *
 *   node --import tsx bench/lib/raw-forecast-process.ts <model.onnx> <config.json> <contexts.f64> <length> <batch> <horizon>
 */
import { readFileSync } from 'node:fs';
import { openRawForecaster } from './raw-forecast';

const [modelFile, configFile, contextsFile, lengthText, batchText, horizonText] = process.argv.slice(2);
const length = Number(lengthText);
const bytes = readFileSync(contextsFile!);
const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const contexts = Array.from({ length: all.length / length }, (_, index) => all.subarray(index * length, (index + 1) * length));
const forecaster = await openRawForecaster(modelFile!, JSON.parse(readFileSync(configFile!, 'utf8')), { batch: Number(batchText), horizon: Number(horizonText) });
await forecaster.warmUp(contexts);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const { seconds, cpuMs } = await forecaster.time(contexts);
await forecaster.release();
process.stdout.write(`${JSON.stringify({ series: contexts.length, seconds, cpuMs })}\n`);
process.exit(0);
