/**
 * The shared Informer golden vectors on disk (copied byte-for-byte from the shared
 * golden/informer into tests/fixtures/golden/informer; produced by the unmodified Informer2020
 * code on PyTorch 1.13.1 CPU, see its README.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GoldenConfigFile, GoldenFile, GoldenWeightsFile } from './informer-golden-check';

export const INFORMER_GOLDEN_ROOT = path.resolve('tests/fixtures/golden/informer');
export const INFORMER_GOLDEN_CONFIGS = [
  'M_prob_timeF_distil', 'M_prob_fixed_distil', 'M_full_timeF_distil', 'M_full_fixed_distil',
  'M_prob_timeF_nodistil', 'S_prob_timeF_distil', 'M_prob_learned_distil', 'M_prob_timeF_distil_perturbed',
] as const;
export type InformerGoldenConfig = (typeof INFORMER_GOLDEN_CONFIGS)[number];

const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(INFORMER_GOLDEN_ROOT, file), 'utf8')) as T;

export function loadInformerGolden(name: InformerGoldenConfig): { config: GoldenConfigFile; weights: GoldenWeightsFile; golden: GoldenFile } {
  return { config: read(`${name}/config.json`), weights: read(`${name}/weights.json`), golden: read(`${name}/golden.json`) };
}

export interface InformerChecks {
  [config: string]: { other_seed_without_replay_vs_golden?: { max_abs: number } };
}
export function loadInformerChecks(): InformerChecks {
  return read('checks.json');
}
