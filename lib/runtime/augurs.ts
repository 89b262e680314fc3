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

const runtime: AugursRuntime = {
  autoEts(values, seasonLength) {
    // "ZZZ" = let AutoETS choose error, trend and season components by AICc.
    const model = new AutoETS(seasonLength, 'ZZZ');
    try {
      model.fit(values);
    } catch (error) {
      model.free();
      throw error;
    }
    return wrap(model);
  },
  mstl(values, periods) {
    const model = MSTL.ets(periods);
    try {
      model.fit(values);
    } catch (error) {
      model.free();
      throw error;
    }
    return wrap(model);
  },
};
