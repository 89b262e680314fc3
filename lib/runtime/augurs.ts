import initEts, { AutoETS, initSync as initEtsSync } from '@bsull/augurs/ets';
import initMstl, { MSTL, initSync as initMstlSync } from '@bsull/augurs/mstl';

/**
 * Grafana's augurs (Rust compiled to WASM) behind a small interface, so that lib/models stays
 * free of runtime imports. The WASM is loaded from URLs in the browser (files copied to
 * public/wasm/augurs by scripts/copy-wasm.ts) and from bytes in Node.
 */
export interface AugursInterval {
  point: number[];
  lower?: number[];
  upper?: number[];
}

export interface AugursFitted {
  /** level is the central interval's coverage (0.8 => 10% and 90% bounds). */
  predict(horizon: number, level?: number): AugursInterval;
  free(): void;
}

export interface AugursRuntime {
  autoEts(values: Float64Array, seasonLength: number): AugursFitted;
  mstl(values: Float64Array, periods: number[]): AugursFitted;
}

export type AugursWasmSource =
  | { kind: 'url'; etsUrl: string; mstlUrl: string }
  | { kind: 'bytes'; ets: BufferSource; mstl: BufferSource };

export const AUGURS_WASM_FILES = { ets: 'ets_bg.wasm', mstl: 'mstl_bg.wasm' } as const;

let ready: Promise<void> | null = null;

export function loadAugurs(source: AugursWasmSource): Promise<AugursRuntime> {
  ready ??= (async () => {
    if (source.kind === 'bytes') {
      initEtsSync({ module: source.ets });
      initMstlSync({ module: source.mstl });
    } else {
      await Promise.all([initEts({ module_or_path: source.etsUrl }), initMstl({ module_or_path: source.mstlUrl })]);
    }
  })();
  return ready.then(() => runtime);
}

function wrap(model: { predict(horizon: number, level?: number | null): { point: number[]; intervals?: { lower: number[]; upper: number[] } }; free(): void }): AugursFitted {
  let freed = false;
  return {
    predict(horizon, level) {
      const forecast = model.predict(horizon, level ?? null);
      return { point: Array.from(forecast.point), lower: forecast.intervals?.lower, upper: forecast.intervals?.upper };
    },
    free() {
      if (!freed) model.free();
      freed = true;
    },
  };
}

type AugursModel = Parameters<typeof wrap>[0] & { fit(y: Float64Array): void };

/** Fits a freshly made model, freeing its WASM memory if the fit throws. */
function fitOwned(model: AugursModel, values: Float64Array): AugursFitted {
  try {
    model.fit(values);
  } catch (error) {
    model.free();
    throw error;
  }
  return wrap(model);
}

const runtime: AugursRuntime = {
  // "ZZZ" = let AutoETS choose error, trend and season components by AICc.
  autoEts: (values, seasonLength) => fitOwned(new AutoETS(seasonLength, 'ZZZ'), values),
  mstl: (values, periods) => fitOwned(MSTL.ets(periods), values),
};
