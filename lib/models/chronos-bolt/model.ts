import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '@/lib/models/model';
import { chronosBatchSize } from './batch-size';
import type { ChronosBoltConfig } from './config';
import { ChronosBoltPipeline, type ChronosRuntime } from './pipeline';

export interface ChronosBoltModelOptions {
  info: ModelInfo;
  config: ChronosBoltConfig;
  runtime: ChronosRuntime;
  /** Rows per runtime call (see PipelineOptions.maxBatch). */
  maxBatch?: number;
  /** Series per forecastBatch call; default chronosBatchSize(config). */
  batchSize?: number;
}

/** What fit() keeps: the last context_length values, and how many there were before. */
interface KeptContext {
  context: Float64Array;
  truncatedFrom: number | null;
}

/** Chronos-Bolt as a ForecastModel: zero-shot, so fit() keeps the last context_length values. */
export function createChronosBoltModel(options: ChronosBoltModelOptions): ForecastModel {
  const { info, config, runtime } = options;
  const pipeline = new ChronosBoltPipeline(config, runtime, options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch });

  const keep = (series: SeriesInput): KeptContext => {
    const all = series.values;
    return {
      context: Float64Array.from(all.length > config.contextLength ? all.slice(-config.contextLength) : all),
      truncatedFrom: all.length > config.contextLength ? all.length : null,
    };
  };

  /** One model pass over every kept context; forecast i belongs to contexts[i]. */
  const forecastAll = async (contexts: readonly KeptContext[], request: ForecastRequest): Promise<Forecast[]> => {
    const { horizon } = request;
    if (!Number.isInteger(horizon) || horizon < 1) {
      throw new LookaheadError('chronos-bolt', 'bad_input', `horizon must be a positive integer, got ${horizon}`);
    }
    const levels = [...new Set(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)].sort((a, b) => a - b);
    const result = await pipeline.predictQuantiles(
      contexts.map((kept) => kept.context),
      horizon,
      levels,
      request.signal === undefined ? {} : { signal: request.signal },
    );
    return contexts.map(({ context, truncatedFrom }, index) => {
      const steps = result.quantiles[index]!;
      const notes: string[] = [];
      if (truncatedFrom !== null) notes.push(`used the last ${config.contextLength} of ${truncatedFrom} values (the model's context length)`);
      if (context.every(Number.isNaN)) notes.push('every value is missing: the forecast is the model\'s prior, not data-driven');
      if (horizon > config.predictionLength) {
        notes.push(`steps after ${config.predictionLength} come from feeding each quantile path back to the model (the reference's long-horizon heuristic)`);
      }
      if (result.clamped) {
        const first = config.quantileLevels[0]!;
        const last = config.quantileLevels[config.quantileLevels.length - 1]!;
        notes.push(`levels outside the trained ${first}-${last} are clamped to the nearest trained quantile`);
      }
      return {
        horizon,
        quantileLevels: levels,
        quantiles: levels.map((_, level) => steps.map((row) => row[level]!)),
        mean: result.mean[index]!,
        ...(notes.length > 0 ? { notes } : {}),
      };
    });
  };

  const batchSize = options.batchSize ?? chronosBatchSize(config);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LookaheadError('chronos-bolt', 'bad_input', `batchSize must be a positive integer, got ${batchSize}`);
  }

  return {
    info,
    async fit(series: SeriesInput, fitOptions = {}): Promise<FittedModel> {
      fitOptions.signal?.throwIfAborted();
      const kept = keep(series);
      let disposed = false;
      return {
        info,
        async forecast(request: ForecastRequest): Promise<Forecast> {
          if (disposed) throw new LookaheadError('chronos-bolt', 'internal', 'forecast() after dispose(); fit the model again');
          return (await forecastAll([kept], request))[0]!;
        },
        dispose() {
          disposed = true;
        },
      };
    },
    batch: {
      batchSize,
      async forecastBatch(series: readonly SeriesInput[], request: ForecastRequest): Promise<Forecast[]> {
        request.signal?.throwIfAborted();
        if (series.length === 0) return [];
        return forecastAll(series.map(keep), request);
      },
    },
  };
}
