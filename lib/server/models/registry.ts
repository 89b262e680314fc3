import 'server-only';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import { BASELINE_MODELS, createBaselineModel, type ForecastModel, type ModelInfo } from '@/lib/models';
import { createChronosBoltModel, modelFileFor } from '@/lib/models/chronos-bolt';
import { loadAugursNode } from '@/lib/runtime/augurs-node';
import { createNodeOnnxSession } from '@/lib/runtime/onnx-node';
import { createChronosRuntime, type OnnxSession } from '@/lib/runtime/onnx-session';
import { getDatabase, type DatabaseHandle } from '@/db';
import { findInstalledModel, listInstalledModels, readInstalledModel, type InstalledModel } from './store';
import { findTrainedModel, isTrainedReference, loadTrainedForecaster } from './trained';

/** A model ready to run on this server, and what runs it ("onnxruntime-node (cpu)"). */
export interface ServerModel {
  model: ForecastModel;
  runtime: string;
  sha256?: string;
}

/** Every model the server can run: the baselines and each installed Chronos-Bolt. */
export function serverModelInfos(): ModelInfo[] {
  return [...BASELINE_MODELS, ...listInstalledModels().map((installed) => installed.info)];
}

const sessions = new Map<string, Promise<OnnxSession>>();

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The model file on disk must be the one its manifest names: a file changed after installation
 * (a partial copy, a disk fault, a swapped file) is refused before onnxruntime reads it. Checked
 * once per session (sessions are cached per installation and sha256); a refused file is not cached.
 */
async function verifiedModelFile(installed: InstalledModel, file: { name: string; sha256: string }): Promise<string> {
  const filePath = path.join(installed.directory, file.name);
  if (!existsSync(filePath)) {
    throw new LookaheadError('models', 'not_found', `model "${installed.info.id}": ${file.name} is missing from its installation; reinstall it with npm run models:pull`);
  }
  const actual = await sha256OfFile(filePath);
  if (actual !== file.sha256) {
    throw new LookaheadError(
      'models',
      'unavailable',
      `model "${installed.info.id}": ${file.name} has sha256 ${actual}, not the ${file.sha256} its manifest records (the file changed after installation); the model was not loaded, reinstall it with npm run models:pull`,
    );
  }
  return filePath;
}

/** One onnxruntime-node session per model file, created once and shared (runs are serialised). */
function sessionFor(installed: InstalledModel): { session: Promise<OnnxSession>; sha256: string } {
  const file = modelFileFor(installed.manifest);
  // By installation and hash: each installed file is verified once, even when two hold the same weights.
  const key = `${installed.directory}\n${file.sha256}`;
  if (!sessions.has(key)) {
    const providers = process.env.LOOKAHEAD_ORT_PROVIDERS?.split(',').map((name) => name.trim()) as ('cpu' | 'cuda')[] | undefined;
    const created = verifiedModelFile(installed, file).then((filePath) => createNodeOnnxSession(filePath, { executionProviders: providers ?? ['cpu'] }));
    created.catch(() => sessions.delete(key));
    sessions.set(key, created);
  }
  return { session: sessions.get(key)!, sha256: file.sha256 };
}

/**
 * Resolves a model reference: a baseline id, an installed model id (`id` or `id@revision`), a
 * trained model (`informer-…`, its current revision, or `informer-…@revision`, from the database),
 * or (CLI only) a directory holding a converted model.
 */
export async function resolveServerModel(reference: string, options: { allowDirectory?: boolean; handle?: DatabaseHandle } = {}): Promise<ServerModel> {
  if (BASELINE_MODELS.some((model) => model.id === reference)) {
    const model = await createBaselineModel(reference, { augurs: loadAugursNode });
    return { model, runtime: reference === 'mstl' ? 'augurs (WASM)' : 'JavaScript' };
  }
  if (isTrainedReference(reference)) {
    const handle = options.handle ?? (await getDatabase());
    const row = await findTrainedModel(handle, reference);
    if (!row) throw new LookaheadError('model', 'bad_input', `unknown trained model "${reference.slice(0, 100)}"; GET /api/models lists the trained ones (under "trained"), or train one with a "train" job`);
    return loadTrainedForecaster(handle, row);
  }
  let installed = findInstalledModel(reference);
  if (!installed && options.allowDirectory && existsSync(reference) && statSync(reference).isDirectory()) {
    installed = readInstalledModel(path.resolve(reference));
  }
  if (!installed) {
    const available = serverModelInfos().map((model) => model.id);
    throw new LookaheadError('model', 'bad_input', `unknown model "${reference}"; available: ${available.join(', ')}${options.allowDirectory ? ', or a converted model directory' : ''}. Install Chronos-Bolt with npm run models:pull -- amazon/chronos-bolt-small`);
  }
  const { session, sha256 } = sessionFor(installed);
  const resolved = await session;
  return {
    model: createChronosBoltModel({ info: installed.info, config: installed.manifest.config, runtime: createChronosRuntime(resolved) }),
    runtime: `onnxruntime-node (${resolved.executionProvider})`,
    sha256,
  };
}
