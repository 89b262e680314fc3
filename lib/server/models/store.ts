import 'server-only';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LookaheadError } from '@/lib/core/errors';
import { parseChronosBoltManifest, type ChronosBoltManifest } from '@/lib/models/chronos-bolt';
import type { ModelInfo } from '@/lib/models/model';

/**
 * Installed model artifacts: `<models dir>/<id>/<revision>/manifest.json` plus the files it lists
 * (DESIGN: public/models/<model-id>/<revision>/, immutable paths). LOOKAHEAD_MODELS_DIR overrides
 * the folder (tests install converted checkpoints into a temp folder).
 */
export function modelsDirectory(): string {
  // Installed models are runtime data, not build input: keep the tracer out of this folder.
  return path.resolve(/*turbopackIgnore: true*/ process.env.LOOKAHEAD_MODELS_DIR ?? 'public/models');
}

/** Only the official checkpoints are real forecasters; anything else (the golden test checkpoints) is test-only. */
const OFFICIAL_REPOS = /^(amazon|autogluon)\/chronos-bolt-(tiny|mini|small|base)$/;

export interface InstalledModel {
  info: ModelInfo;
  manifest: ChronosBoltManifest;
  directory: string;
  /** URL path the browser fetches files from: /api/models/<id>/<revision>/<file>. */
  baseUrl: string;
}

function isTestOnly(manifest: ChronosBoltManifest): boolean {
  return !manifest.sourceRepo || !OFFICIAL_REPOS.test(manifest.sourceRepo);
}

export function readInstalledModel(directory: string): InstalledModel {
  const manifestPath = path.join(directory, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new LookaheadError('models', 'bad_input', `${directory} has no manifest.json; convert a checkpoint with npm run models:convert -- <checkpoint-dir> <out-dir>`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new LookaheadError('models', 'bad_input', `${manifestPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const manifest = parseChronosBoltManifest(json);
  const testOnly = isTestOnly(manifest);
  const size = manifest.sourceRepo?.match(/chronos-bolt-(\w+)$/)?.[1];
  return {
    info: {
      id: manifest.id,
      family: 'chronos-bolt',
      label: testOnly ? `${manifest.id} (test checkpoint, not a real forecaster)` : `Chronos-Bolt ${size ?? manifest.id}`,
      revision: manifest.revision,
      testOnly,
    },
    manifest,
    directory,
    baseUrl: `/api/models/${encodeURIComponent(manifest.id)}/${encodeURIComponent(manifest.revision)}`,
  };
}

/** Every installed model (the newest revision of each id first), skipping unreadable folders with a warning. */
export function listInstalledModels(root = modelsDirectory()): InstalledModel[] {
  if (!existsSync(root)) return [];
  const models: InstalledModel[] = [];
  for (const id of readdirSync(root, { withFileTypes: true })) {
    if (!id.isDirectory()) continue;
    for (const revision of readdirSync(path.join(root, id.name), { withFileTypes: true })) {
      if (!revision.isDirectory()) continue;
      try {
        models.push(readInstalledModel(path.join(/*turbopackIgnore: true*/ root, id.name, revision.name)));
      } catch (error) {
        console.warn(`models: skipping ${path.join(id.name, revision.name)}: ${(error as Error).message}`);
      }
    }
  }
  return models.sort((a, b) => a.info.id.localeCompare(b.info.id) || b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}

/** `id` or `id@revision` -> the installed model; a clear 4xx naming what is installed otherwise. */
export function findInstalledModel(reference: string, root = modelsDirectory()): InstalledModel | null {
  const [id, revision] = reference.split('@');
  return listInstalledModels(root).find((model) => model.info.id === id && (!revision || model.manifest.revision === revision)) ?? null;
}
