/**
 * One raw Chronos-Bolt session in a process of its own (`npm run bench -- jobs`): the machine's own
 * ceiling for N worker processes, with no queue, database or I/O. Reads the contexts (float64,
 * `length` points each) from a file, warms up, says "ready", runs every batch once "go" arrives on
 * stdin, and prints {"series", "seconds", "cpuMs"} as JSON.
 *
 *   node --import tsx bench/lib/raw-forecast-process.ts <model.onnx> <config.json> <contexts.f64> <length> <batch> <horizon>
 */
import { readFileSync } from 'node:fs';
import { ChronosBoltPipeline } from '@/lib/models/chronos-bolt';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime } from '@/lib/runtime/onnx-session';

const [modelFile, configFile, contextsFile, lengthText, batchText, horizonText] = process.argv.slice(2);
const length = Number(lengthText);
const batch = Number(batchText);
const horizon = Number(horizonText);
const bytes = readFileSync(contextsFile!);
const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const contexts = Array.from({ length: all.length / length }, (_, index) => all.subarray(index * length, (index + 1) * length));
const session = await createNodeOnnxSession(modelFile!, { intraOpNumThreads: 1 });
const pipeline = new ChronosBoltPipeline(JSON.parse(readFileSync(configFile!, 'utf8')), createChronosRuntime(session), { maxBatch: batch });
await pipeline.predictQuantiles(contexts.slice(0, batch), horizon); // warm-up
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const started = performance.now();
const cpu = process.cpuUsage();
for (let start = 0; start < contexts.length; start += batch) await pipeline.predictQuantiles(contexts.slice(start, start + batch), horizon);
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - started) / 1000;
await session.release();
process.stdout.write(`${JSON.stringify({ series: contexts.length, seconds, cpuMs: (used.user + used.system) / 1000 })}\n`);
process.exit(0);
