import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { makeRandomCheckpoint, type ChronosBoltSize } from '@/tests/support/chronos-checkpoint';
import type { BenchModel } from './target';

/**
 * A random-weight checkpoint of an official Chronos-Bolt shape (context length 2048, as the
 * official configs), written in the HF layout and converted by the CLI's own code into
 * `<root>/<size>/`. The checkpoint itself is deleted once converted (a base one is 820 MB).
 */
export async function prepareModel(root: string, size: ChronosBoltSize): Promise<BenchModel & { convertMs: number }> {
  const checkpointDir = path.join(root, `${size}-checkpoint`);
  const outDir = path.join(root, size);
  const checkpoint = makeRandomCheckpoint(size);
  await mkdir(checkpointDir, { recursive: true });
  await writeFile(path.join(checkpointDir, 'config.json'), JSON.stringify(checkpoint.configJson));
  await writeFile(path.join(checkpointDir, 'model.safetensors'), checkpoint.safetensorsBytes);
  const started = performance.now();
  await convertCheckpointDir({ checkpointDir, outDir, id: `random-${size}` });
  const convertMs = performance.now() - started;
  await rm(checkpointDir, { recursive: true, force: true });
  return { size, dir: outDir, parameters: checkpoint.parameters, onnxBytes: (await stat(path.join(outDir, 'model.onnx'))).size, convertMs };
}
