import { createBaselineModel, type ForecastModel, type ModelInfo } from '@/lib/models';
import { BASELINE_MODELS } from '@/lib/models/registry';
import { loadAugurs } from '@/lib/runtime/augurs';
import type { DeviceChoice } from '@/lib/runtime/device';

/**
 * The models a browser worker can run, and the factory by id. Baselines run on the CPU (plain
 * JS or augurs' WASM); learned models (Chronos-Bolt) choose WebGPU or WASM from the device report.
 */
export interface BrowserModelContext {
  origin: string;
  device: DeviceChoice;
  onProgress?: (message: string, fraction?: number) => void;
  signal?: AbortSignal;
}

export interface BrowserModel {
  model: ForecastModel;
  /** What actually computes this model here, for the page to show. */
  runtime: DeviceChoice;
}

export function browserModelInfos(): ModelInfo[] {
  return [...BASELINE_MODELS];
}

export async function createBrowserModel(id: string, context: BrowserModelContext): Promise<BrowserModel> {
  const augurs = () =>
    loadAugurs({
      kind: 'url',
      etsUrl: new URL('/wasm/augurs/ets_bg.wasm', context.origin).href,
      mstlUrl: new URL('/wasm/augurs/mstl_bg.wasm', context.origin).href,
    });
  const model = await createBaselineModel(id, { augurs });
  const runtime: DeviceChoice =
    id === 'seasonal-naive'
      ? { device: 'wasm', label: 'JavaScript, 1 thread', reason: `seasonal naive is plain arithmetic; no accelerator needed (${context.device.reason})` }
      : { device: 'wasm', label: 'WASM (augurs), 1 thread', reason: `augurs runs single-threaded WASM (${context.device.reason})` };
  return { model, runtime };
}
