import type { ModelInfo } from '@/lib/models/model';

/**
 * Browser or server? The amount of work (series x windows x the model's cost per series) against
 * what the browser can do (WebGPU or only WASM). The page shows the answer with its reason and
 * lets the user override it. Costs are relative forward-pass times of one series (context 512,
 * horizon 64) measured by `npm run bench -- chronos` (WASM in Chromium, 1 thread): tiny ~12 ms,
 * small ~80 ms, base ~380 ms; baselines well under 1 ms except AutoETS/MSTL (~20-100 ms).
 */

export type Placement = 'browser' | 'server';

export interface PlacementAdvice {
  placement: Placement;
  reason: string;
  /** Estimated seconds in this browser (WASM or WebGPU). */
  browserSeconds: number;
}

const MS_PER_SERIES: Record<string, number> = {
  'seasonal-naive': 0.2,
  'auto-ets': 40,
  mstl: 60,
  'chronos-bolt-tiny': 12,
  'chronos-bolt-mini': 30,
  'chronos-bolt-small': 80,
  'chronos-bolt-base': 380,
};

/** Browser work above this many seconds goes to the server unless the user says otherwise. */
export const BROWSER_BUDGET_SECONDS = 60;

export function modelCostMs(model: Pick<ModelInfo, 'id' | 'family'>): number {
  const size = model.id.match(/chronos-bolt-(tiny|mini|small|base)/)?.[0];
  if (size) return MS_PER_SERIES[size]!;
  if (model.family === 'chronos-bolt') return MS_PER_SERIES['chronos-bolt-small']!;
  return MS_PER_SERIES[model.id] ?? 50;
}

export function advisePlacement({ series, windows, models, webgpu }: { series: number; windows: number; models: readonly Pick<ModelInfo, 'id' | 'family'>[]; webgpu: boolean }): PlacementAdvice {
  const perSeriesMs = models.reduce((sum, model) => {
    const cost = modelCostMs(model);
    // A hardware WebGPU adapter runs the learned models several times faster than WASM.
    return sum + (model.family === 'chronos-bolt' && webgpu ? cost / 4 : cost);
  }, 0);
  const browserSeconds = (series * Math.max(1, windows) * perSeriesMs) / 1000;
  const work = `${series.toLocaleString('en')} series x ${Math.max(1, windows)} window${windows === 1 ? '' : 's'} x ${models.map((model) => model.id).join(' + ')}`;
  const device = webgpu ? 'with WebGPU' : 'on WASM (no WebGPU)';
  const estimate = browserSeconds < 1 ? 'under a second' : browserSeconds < 120 ? `about ${Math.round(browserSeconds)} s` : `about ${Math.round(browserSeconds / 60)} min`;
  if (browserSeconds > BROWSER_BUDGET_SECONDS) {
    return { placement: 'server', reason: `${work}: ${estimate} in this browser ${device}; the server's workers run it while you keep working`, browserSeconds };
  }
  return { placement: 'browser', reason: `${work}: ${estimate} in this browser ${device}`, browserSeconds };
}
