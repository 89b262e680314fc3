import 'server-only';
import { LookaheadError } from '@/lib/core/errors';

/**
 * A forecast request asks for series x horizon x levels numbers; a small body can ask for 10^8.
 * LOOKAHEAD_FORECAST_MAX_VALUES (default 2,000,000) caps the product, answered 413 naming it.
 */
const DEFAULT_MAX_VALUES = 2_000_000;

export function forecastOutputCap(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LOOKAHEAD_FORECAST_MAX_VALUES ?? DEFAULT_MAX_VALUES);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_VALUES;
}

export function checkForecastOutput({ series, horizon, levels }: { series: number; horizon: number; levels: number }, env: Record<string, string | undefined> = process.env): void {
  const cap = forecastOutputCap(env);
  // Each series also gets its point forecast: levels + 1 numbers per step.
  const values = series * horizon * (levels + 1);
  if (values > cap) {
    throw new LookaheadError('forecast', 'too_large', `this request asks for ${series} series x horizon ${horizon} x ${levels + 1} values (${levels} levels and the median) = ${values} numbers; the cap is ${cap} per request (LOOKAHEAD_FORECAST_MAX_VALUES): send fewer series, a shorter horizon or fewer levels, or submit a job`, {
      details: { values, cap },
    });
  }
}
