/**
 * The shared Chronos-Bolt golden vectors (copied byte-for-byte from the shared golden/chronos-bolt into tests/fixtures/golden/, produced by the
 * unmodified chronos-forecasting v2.3.0 on PyTorch) and a comparison that reports the worst error
 * against an explicit tolerance.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const GOLDEN_ROOT = process.env.CHRONOS_GOLDEN_DIR ?? path.resolve('tests/fixtures/golden/chronos-bolt');
export const GOLDEN_CHECKPOINTS = ['tiny-random', 'upstream-dummy'] as const;
export type GoldenCheckpoint = (typeof GOLDEN_CHECKPOINTS)[number];
export const GOLDEN_INPUT_NAMES = ['seasonal_300', 'nans_200', 'short_10', 'long_1000', 'constant_50', 'all_nan_20'] as const;

type Nested = number | null | Nested[];

export interface Golden {
  inputs: Record<string, (number | null)[]>;
  goldens: {
    single_series: Record<string, { predict_default: Nested; predict_150: Nested; predict_7: Nested }>;
    batched: { order: string[]; predict_default: Nested; predict_150: Nested };
    predict_quantiles: Record<string, { prediction_length: number; quantiles: Nested; mean: Nested }>;
    embed: Record<string, { embeddings: Nested; loc: Nested; scale: Nested }>;
    intermediates: Record<string, Record<string, Nested>>;
    autoregressive_trace_seasonal_300: {
      prediction_length: number;
      calls: { context_shape: number[]; context: Nested; quantile_preds: Nested }[];
      final: Nested;
    };
  };
}

export function checkpointDir(checkpoint: GoldenCheckpoint): string {
  return path.join(GOLDEN_ROOT, checkpoint);
}

const cache = new Map<string, Golden>();
export function loadGolden(checkpoint: GoldenCheckpoint): Golden {
  let golden = cache.get(checkpoint);
  if (golden === undefined) {
    golden = JSON.parse(readFileSync(path.join(checkpointDir(checkpoint), 'golden.json'), 'utf8')) as Golden;
    cache.set(checkpoint, golden);
  }
  return golden;
}

/** Nested JSON array -> flat float64 values (null = NaN) plus its shape. */
export function flatten(value: Nested): { values: Float64Array; shape: number[] } {
  const shape: number[] = [];
  let level: Nested = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0]!;
  }
  const values: number[] = [];
  const walk = (node: Nested): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else values.push(node === null ? NaN : node);
  };
  walk(value);
  return { values: Float64Array.from(values), shape };
}

export function seriesOf(values: (number | null)[]): number[] {
  return values.map((value) => (value === null ? NaN : value));
}

/**
 * Tolerance: |got - want| <= max(rtol * |want|, atol[i]), with atol per element (the README's floor
 * 1e-4 * (|loc| + scale) differs per series in a batch). NaN must meet NaN.
 */
export interface Tolerance {
  rtol: number;
  atol: number | ((index: number) => number);
}

export interface Comparison {
  /** Worst |got - want| / allowed: <= 1 passes. */
  worstRatio: number;
  maxAbs: number;
  /** Max |got - want| / (|want| + floor): the relative error on the tolerance's own scale. */
  maxRel: number;
  at: number;
  got: number;
  want: number;
  nanMismatches: number;
  lengthMismatch: string | null;
}

export function compare(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: Tolerance): Comparison {
  const result: Comparison = { worstRatio: 0, maxAbs: 0, maxRel: 0, at: -1, got: NaN, want: NaN, nanMismatches: 0, lengthMismatch: null };
  if (got.length !== want.length) {
    result.lengthMismatch = `got ${got.length} values, want ${want.length}`;
    result.worstRatio = Infinity;
    return result;
  }
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) {
        result.nanMismatches++;
        result.worstRatio = Infinity;
      }
      continue;
    }
    const floor = typeof tolerance.atol === 'number' ? tolerance.atol : tolerance.atol(i);
    const allowed = Math.max(tolerance.rtol * Math.abs(b), floor);
    const error = Math.abs(a - b);
    const ratio = error === 0 ? 0 : error / allowed;
    result.maxAbs = Math.max(result.maxAbs, error);
    if (error > 0) result.maxRel = Math.max(result.maxRel, error / Math.max(Math.abs(b), tolerance.rtol > 0 ? floor / tolerance.rtol : floor));
    if (ratio > result.worstRatio || !Number.isFinite(ratio)) {
      result.worstRatio = Number.isFinite(ratio) ? ratio : Infinity;
      result.at = i;
      result.got = a;
      result.want = b;
    }
  }
  return result;
}

export function describeComparison(label: string, comparison: Comparison): string {
  if (comparison.lengthMismatch !== null) return `${label}: ${comparison.lengthMismatch}`;
  if (comparison.nanMismatches > 0) return `${label}: ${comparison.nanMismatches} NaN mismatches`;
  return `${label}: worst at [${comparison.at}] got ${comparison.got} want ${comparison.want} (${comparison.worstRatio.toFixed(3)} x allowed; max abs ${comparison.maxAbs.toExponential(2)})`;
}

/** Collects the worst errors per (runtime, checkpoint, kind) for the report printed after the suite. */
export class ErrorLedger {
  private readonly rows = new Map<string, { maxAbs: number; maxRel: number; worstRatio: number; checks: number }>();

  record(key: string, comparison: Comparison): void {
    const row = this.rows.get(key) ?? { maxAbs: 0, maxRel: 0, worstRatio: 0, checks: 0 };
    row.maxAbs = Math.max(row.maxAbs, comparison.maxAbs);
    row.maxRel = Math.max(row.maxRel, comparison.maxRel);
    row.worstRatio = Math.max(row.worstRatio, comparison.worstRatio);
    row.checks++;
    this.rows.set(key, row);
  }

  table(): string {
    const lines = ['key'.padEnd(58) + 'checks  max abs    max rel    worst/allowed'];
    for (const [key, row] of [...this.rows].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`${key.padEnd(58)}${String(row.checks).padStart(6)}  ${row.maxAbs.toExponential(2).padEnd(9)}  ${row.maxRel.toExponential(2).padEnd(9)}  ${row.worstRatio.toFixed(3)}`);
    }
    return lines.join('\n');
  }
}

/**
 * Tolerances of every golden comparison (Node and browser runtimes alike); the reasons are in the
 * header of tests/unit/chronos-golden.test.ts.
 */
export const DIRECT = 1e-4;
export const LONG_HORIZON = 5e-4;
export const HIDDEN = 1e-4;
export const LOC_SCALE = 2.5e-7;
export const PATCHED = 1e-5;
