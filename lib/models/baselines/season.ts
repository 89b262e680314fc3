import { seasonalPeriod } from '@/lib/core/frequency';
import type { SeriesInput } from '../model';

/** Where a season length came from, for the notes a forecast carries. */
export interface ResolvedSeason {
  /** Steps per season; 1 = no season. */
  season: number;
  source: 'season' | 'frequency' | 'none';
}

/** The season a model was asked for: `season` given by the user, else the frequency's default. */
export function wantedSeason(series: SeriesInput, override?: number): ResolvedSeason {
  if (override !== undefined) return { season: override, source: 'season' };
  if (series.season !== undefined) return { season: series.season, source: 'season' };
  if (series.frequency) return { season: seasonalPeriod(series.frequency), source: 'frequency' };
  return { season: 1, source: 'none' };
}

/**
 * The season a seasonal model can fit on `observed` points, with a note when it had to drop it:
 * seasonal models need `minCycles` full seasons. Never throws; a model without a season is the
 * fallback, and the note names --season / --frequency so the user can fix it.
 */
export function fittableSeason(series: SeriesInput, label: string, observed: number, notes: string[], options: { minCycles: number; override?: number }): number {
  const wanted = wantedSeason(series, options.override);
  if (wanted.source === 'none') {
    notes.push(`${label}: no season (the series has no frequency and no season was given); pass --frequency/"frequency", timestamps, or --season/"season" to fit one.`);
    return 1;
  }
  if (wanted.season <= 1) return 1;
  if (observed < options.minCycles * wanted.season) {
    notes.push(
      `${label}: ${observed} values are fewer than ${options.minCycles} seasons of ${wanted.season} (${wanted.source === 'season' ? 'the season given' : `the ${series.frequency!.description} default`}); fitted without a season. Give more data or a shorter --season.`,
    );
    return 1;
  }
  return wanted.season;
}
