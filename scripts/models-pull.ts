/**
 * npm run models:pull -- <owner/name>[@revision] [--dtype fp32|fp16]
 *
 * Downloads config.json and model.safetensors of a Chronos-Bolt checkpoint from the hub
 * (LOOKAHEAD_HUB_URL, default https://huggingface.co; resumable, sha256-verified), converts it
 * to ONNX and installs it under <models dir>/<id>/<commit>/ (LOOKAHEAD_MODELS_DIR, default
 * public/models), where the app lists it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LookaheadError, isLookaheadError } from '@/lib/core/errors';
import type { WeightDtype } from '@/lib/models/chronos-bolt';
import { formatProgress, hubBaseUrl } from '@/lib/server/models/hub';
import { pullModel } from '@/lib/server/models/pull';

export { CHECKPOINT_FILES, pullModel, type PullResult } from '@/lib/server/models/pull';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { dtype: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) {
    throw new LookaheadError('models:pull', 'bad_input', 'usage: npm run models:pull -- <owner/name>[@revision] [--dtype fp32|fp16], e.g. amazon/chronos-bolt-small');
  }
  const dtype = (values.dtype ?? 'fp32') as WeightDtype;
  if (dtype !== 'fp32' && dtype !== 'fp16') throw new LookaheadError('models:pull', 'bad_input', `--dtype must be fp32 or fp16, got "${values.dtype}"`);
  const started = performance.now();
  const interactive = process.stderr.isTTY;
  let lastLine = 0;
  console.error(`models:pull: ${positionals[0]} from ${hubBaseUrl()}`);
  const result = await pullModel({
    reference: positionals[0]!,
    dtype,
    onProgress: (progress) => {
      const now = performance.now();
      const done = progress.totalBytes !== null && progress.receivedBytes >= progress.totalBytes;
      if (!done && now - lastLine < (interactive ? 100 : 2000)) return;
      lastLine = now;
      process.stderr.write(`${interactive ? '\r' : ''}${formatProgress(progress, started)}${interactive && !done ? '' : '\n'}`);
    },
  });
  for (const download of result.downloads) {
    console.error(
      `models:pull: ${download.file} ${(download.bytes / 1e6).toFixed(1)} MB sha256 ${download.sha256}${download.verified ? ' (verified against the hub)' : ''}${download.resumedFrom ? ` (resumed at ${download.resumedFrom} bytes)` : ''}`,
    );
  }
  console.error(
    result.converted
      ? `models:pull: installed ${result.manifest.id}@${result.manifest.revision} in ${result.directory} (${((performance.now() - started) / 1000).toFixed(1)} s); the app lists it now (no restart needed)`
      : `models:pull: ${result.manifest.id}@${result.manifest.revision} is already installed in ${result.directory}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(isLookaheadError(error) ? error.message : error);
    process.exitCode = 1;
  });
}
