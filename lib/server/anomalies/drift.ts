import 'server-only';
import { driftSummary, type DriftSummary } from '@/lib/core/drift';
import { LookaheadError } from '@/lib/core/errors';
import { mae, smape } from '@/lib/core/metrics';
import { runForecastRequest } from '../forecast-service';
import { dataPlaneConfig, openWindowReader, parseWindowRequest, readWholeWindow, resolveSource, type DataPlaneConfig } from '../sources';

/**
 * Data drift of a series: the distribution of a reference window against a recent window (PSI
 * and Kolmogorov-Smirnov, lib/core/drift.ts), and a forecast model's rolling error on the recent
 * data beside its error at the end of the reference. The reference is any (source, series, time
 * range): today a rule names it or takes the time before the recent window; a trained model's
 * training window (source, series, range, as its stored model records it) is the same shape and
 * plugs in as `reference` unchanged.
 */

/** One series of a source, named as GET /api/sources/<id>/window names it. */
export interface SeriesRef {
  source: string;
  table?: string;
  column: string;
  time?: string;
  entity?: string;
  series?: string;
}

/** A series over [from, to). */
export interface SeriesWindow extends SeriesRef {
  from: Date;
  to: Date;
}

export interface RollingErrorOptions {
  model: string;
  /** Points forecast per fold. */
  horizon: number;
  /** Folds at the end of each window, each forecast from every point of the window before it. */
  folds: number;
}

export interface RollingError {
  model: string;
  horizon: number;
  folds: number;
  /** Mean over the folds at the end of the recent window. */
  recent: { mae: number; smape: number; folds: number } | null;
  /** The same at the end of the reference window (how the model did on the data it is compared with). */
  reference: { mae: number; smape: number; folds: number } | null;
  /** recent MAE / reference MAE: above 1 the model does worse on the new data. */
  maeRatio: number | null;
  error?: string;
}

export interface DriftReport extends DriftSummary {
  reference: SeriesWindow;
  recent: SeriesWindow;
  rollingError: RollingError | null;
}

export interface DriftCheckOptions {
  reference: SeriesWindow;
  recent: SeriesWindow;
  bins?: number;
  rollingError?: RollingErrorOptions;
  config?: DataPlaneConfig;
}

/** The points of a series in [from, to), oldest first (at most the server's row cap). */
export async function readSeriesWindow(window: SeriesWindow, config: DataPlaneConfig = dataPlaneConfig()): Promise<{ timestampsMs: number[]; values: number[] }> {
  const query = new URLSearchParams({ columns: window.column, start: window.from.toISOString(), end: window.to.toISOString(), limit: String(config.rowCap) });
  for (const key of ['table', 'time', 'entity', 'series'] as const) if (window[key] !== undefined) query.set(key, window[key]!);
  const request = parseWindowRequest(query, { rowCap: config.rowCap });
  const source = await resolveSource(window.source, { config });
  const data = await readWholeWindow(await openWindowReader(source, request, config));
  const column = data.columns[window.column];
  if (!column) throw new LookaheadError('drift', 'bad_input', `${window.source} has no column "${window.column}" in that window; name one of ${Object.keys(data.columns).join(', ') || '(none)'}`);
  const timestampsMs: number[] = [];
  const values: number[] = [];
  // end= is inclusive in window reads; the drift windows are half-open so that consecutive windows share no point.
  for (let index = 0; index < column.length; index += 1) {
    const time = data.timestampsMs[index]!;
    if (time >= window.to.getTime()) continue;
    timestampsMs.push(time);
    values.push(column[index]!);
  }
  return { timestampsMs, values };
}

export async function foldErrors(values: number[], timestampsMs: number[], { model, horizon, folds, minHistory = 2 * horizon }: RollingErrorOptions & { minHistory?: number }): Promise<{ mae: number; smape: number; folds: number } | null> {
  const maes: number[] = [];
  const smapes: number[] = [];
  for (let fold = folds; fold >= 1; fold -= 1) {
    const origin = values.length - fold * horizon;
    // At least minHistory points (default two horizons) before a fold's origin, or the fold is skipped.
    if (origin < minHistory) continue;
    const history = values.slice(0, origin);
    const response = await runForecastRequest({
      model,
      horizon,
      levels: [0.5],
      series: [{ values: history.map((value) => (Number.isNaN(value) ? null : value)), ...(timestampsMs.length === values.length ? { timestamps: timestampsMs.slice(0, origin) } : {}) }],
    });
    const forecast = response.forecasts[0];
    if (!forecast) throw new LookaheadError('drift', 'internal', `model ${model} returned no forecast for a fold: ${response.errors?.[0]?.message ?? 'no reason given'}`);
    const actual = values.slice(origin, origin + horizon);
    maes.push(mae(actual, forecast.mean));
    smapes.push(smape(actual, forecast.mean));
  }
  if (maes.length === 0) return null;
  const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
  return { mae: mean(maes), smape: mean(smapes), folds: maes.length };
}

export async function checkDrift({ reference, recent, bins = 10, rollingError, config = dataPlaneConfig() }: DriftCheckOptions): Promise<DriftReport> {
  if (!(reference.from < reference.to) || !(recent.from < recent.to)) {
    throw new LookaheadError('drift', 'bad_input', `each window needs from < to; got reference ${reference.from.toISOString()}..${reference.to.toISOString()}, recent ${recent.from.toISOString()}..${recent.to.toISOString()}`);
  }
  const referenceData = await readSeriesWindow(reference, config);
  const recentData = await readSeriesWindow(recent, config);
  const finite = (values: number[]) => values.filter(Number.isFinite).length;
  if (finite(referenceData.values) < bins || finite(recentData.values) < 1) {
    throw new LookaheadError(
      'drift',
      'bad_input',
      `${reference.source}/${reference.series ?? reference.column}: the reference window has ${finite(referenceData.values)} values (needs ${bins}) and the recent window ${finite(recentData.values)} (needs 1); widen the windows`,
    );
  }
  const summary = driftSummary(referenceData.values, recentData.values, { bins });
  let errors: RollingError | null = null;
  if (rollingError) {
    errors = { ...rollingError, recent: null, reference: null, maeRatio: null };
    try {
      errors.recent = await foldErrors(recentData.values, recentData.timestampsMs, rollingError);
      errors.reference = await foldErrors(referenceData.values, referenceData.timestampsMs, rollingError);
      errors.maeRatio = errors.recent && errors.reference && errors.reference.mae > 0 ? errors.recent.mae / errors.reference.mae : null;
      if (!errors.recent) errors.error = `the recent window has ${recentData.values.length} points; a fold of ${rollingError.horizon} needs ${3 * rollingError.horizon}`;
    } catch (error) {
      errors.error = (error as Error).message;
    }
  }
  return { ...summary, reference, recent, rollingError: errors };
}
