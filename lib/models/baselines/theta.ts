import { LookaheadError } from '@/lib/core/errors';
import { DEFAULT_QUANTILE_LEVELS, type Forecast } from '@/lib/core/forecast';
import { normalQuantile } from '@/lib/core/normal';
import type { FittedModel, ForecastModel, ForecastRequest, ModelInfo, SeriesInput } from '../model';
import { seasonalIndices } from './decompose';
import { fitEts } from './ets/ets-fit';
import { linearVariances } from './ets/ets-model';
import { interpolateMissing } from './interpolate';
import { fittableSeason } from './season';
import { validateHorizon, validateLevels } from './validate';

export const THETA_INFO: ModelInfo = { id: 'theta', family: 'baseline', label: 'Theta' };

/**
 * The standard Theta method as R's forecast::thetaf (Hyndman & Billah 2003): when the lag-m
 * autocorrelation is significant (90%), divide out a classical multiplicative decomposition;
 * forecast with simple exponential smoothing (ETS(A,N,N) by maximum likelihood) plus half the
 * slope of a straight line through the data as drift; multiply the season back. Intervals are
 * the SES intervals' widths around that forecast, as thetaf computes them.
 */
export function createTheta(options: { season?: number } = {}): ForecastModel {
  return {
    info: THETA_INFO,
    async fit(series: SeriesInput): Promise<FittedModel> {
      const notes: string[] = [];
      const { values: raw, imputed } = interpolateMissing(series.values);
      const n = raw.length;
      if (n < 4) throw new LookaheadError('model', 'bad_input', `Theta needs at least 4 observed values, got ${n}`);
      if (imputed > 0) notes.push(`Theta: ${imputed} missing value(s) linearly interpolated before fitting.`);
      const season = fittableSeason(series, 'Theta', n, notes, { minCycles: 2, ...(options.season === undefined ? {} : { override: options.season }) });
      let indices: number[] | null = null;
      if (season > 1 && n > 2 * season) {
        if (raw.some((value) => !(value > 0))) {
          notes.push(`Theta: the multiplicative season needs positive data; fitted without a season.`);
        } else if (seasonalityIsSignificant(raw, season)) {
          indices = seasonalIndices(raw, season, 'multiplicative');
        } else {
          notes.push(`Theta: no significant seasonality at lag ${season} (90% test, as thetaf); fitted without a season.`);
        }
      }
      const values = indices ? raw.map((value, t) => value / indices![t % season]!) : raw;
      const ses = fitEts({ error: 'A', trend: 'N', season: 'N', period: 1 }, values);
      if (!ses) throw new LookaheadError('model', 'bad_input', `Theta could not fit simple exponential smoothing to these ${n} values; give more data`);
      const drift = lineSlope(values) / 2;
      const { alpha } = ses.params;
      return {
        info: THETA_INFO,
        async forecast(request: ForecastRequest): Promise<Forecast> {
          validateHorizon(request.horizon);
          const levels = validateLevels(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS);
          const variances = linearVariances(ses.spec, ses.params, ses.sigma2, request.horizon);
          const factor = (step: number) => (indices ? indices[(n + step) % season]! : 1);
          const centre = Array.from({ length: request.horizon }, (_, step) => ses.final.level + drift * (step + (1 - (1 - alpha) ** n) / alpha));
          const point = centre.map((value, step) => value * factor(step));
          // As thetaf: the SES standard error around the re-seasonalised forecast (not scaled by the season).
          const quantiles = levels.map((level) => point.map((value, step) => value + normalQuantile(level) * Math.sqrt(variances[step]!)));
          return { horizon: request.horizon, quantileLevels: levels, quantiles, mean: point, notes: [...notes] };
        },
        dispose() {},
      };
    },
  };
}

/** thetaf's test: |r_m| > z(0.95) * sqrt((1 + 2 sum_{k<m} r_k^2) / n). */
function seasonalityIsSignificant(values: ArrayLike<number>, season: number): boolean {
  const n = values.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += values[t]! / n;
  let denominator = 0;
  for (let t = 0; t < n; t++) denominator += (values[t]! - mean) ** 2;
  const acf = (lag: number) => {
    let sum = 0;
    for (let t = 0; t + lag < n; t++) sum += (values[t]! - mean) * (values[t + lag]! - mean);
    return sum / denominator;
  };
  let sumSquares = 0;
  for (let lag = 1; lag < season; lag++) sumSquares += acf(lag) ** 2;
  return Math.abs(acf(season)) / Math.sqrt((1 + 2 * sumSquares) / n) > normalQuantile(0.95);
}

/** Least-squares slope of the values against time. */
function lineSlope(values: ArrayLike<number>): number {
  const n = values.length;
  const meanT = (n - 1) / 2;
  let meanY = 0;
  for (let t = 0; t < n; t++) meanY += values[t]! / n;
  let covariance = 0;
  let variance = 0;
  for (let t = 0; t < n; t++) {
    covariance += (t - meanT) * (values[t]! - meanY);
    variance += (t - meanT) ** 2;
  }
  return covariance / variance;
}
