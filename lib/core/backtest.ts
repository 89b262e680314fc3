import { LookaheadError } from './errors';

/**
 * Rolling-origin backtest splits. Windows are ordered oldest first; the last one ends exactly at
 * the series end and each earlier one starts `step` points before the next. A window's context
 * lies strictly before its cutoff and its actuals start at the cutoff, so no window sees its own
 * future. With step < horizon the actuals of neighbouring windows overlap, which is allowed.
 */

export interface BacktestWindow {
  index: number;
  /** context covers [contextStart, cutoff) */
  contextStart: number;
  cutoff: number;
  /** actuals cover [cutoff, cutoff + horizon) */
  horizon: number;
}

export interface BacktestSettings {
  windows: number;
  step: number;
  horizon: number;
  /** Maximum context length; undefined = all history before the cutoff. */
  context?: number;
  /** Context points every window must have (at most `context`); default 1. */
  minContext?: number;
}

function requireCount(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new LookaheadError('backtest', 'bad_input', `${name} must be an integer >= ${minimum}, got ${value}`, {
      details: { [name]: value },
    });
  }
}

/**
 * The windows for a series of `seriesLength` points. Throws LookaheadError('backtest', 'bad_input')
 * for counts that are not positive integers and for a series too short to give every window
 * `minContext` points of context, saying how many points are needed and how many there are.
 */
export function backtestWindows(seriesLength: number, settings: BacktestSettings): BacktestWindow[] {
  const { windows, step, horizon, context } = settings;
  const minContext = settings.minContext ?? 1;
  requireCount('windows', windows, 1);
  requireCount('step', step, 1);
  requireCount('horizon', horizon, 1);
  if (context !== undefined) requireCount('context', context, 1);
  requireCount('minContext', minContext, 1);
  requireCount('series length', seriesLength, 0);
  if (context !== undefined && minContext > context) {
    throw new LookaheadError('backtest', 'bad_input', `minContext (${minContext}) cannot exceed context (${context})`, {
      details: { minContext, context },
    });
  }

  const needed = minContext + (windows - 1) * step + horizon;
  if (seriesLength < needed) {
    throw new LookaheadError(
      'backtest',
      'bad_input',
      `series too short for ${windows} window${windows === 1 ? '' : 's'} of horizon ${horizon} every ${step} step${step === 1 ? '' : 's'}: ` +
        `needs at least ${needed} points (${minContext} of context + ${windows - 1} x ${step} + ${horizon}), has ${seriesLength}`,
      { details: { needed, seriesLength, windows, step, horizon, minContext } },
    );
  }

  const lastCutoff = seriesLength - horizon;
  return Array.from({ length: windows }, (_, index) => {
    const cutoff = lastCutoff - (windows - 1 - index) * step;
    const contextStart = context === undefined ? 0 : Math.max(0, cutoff - context);
    return { index, contextStart, cutoff, horizon };
  });
}

/** Copies a window's context and actuals out of the series it was made for. */
export function sliceWindow<T extends ArrayLike<number>>(
  values: T,
  window: BacktestWindow,
): { context: number[]; actual: number[] } {
  const end = window.cutoff + window.horizon;
  if (values.length < end) {
    throw new LookaheadError(
      'backtest',
      'bad_input',
      `window ${window.index} ends at ${end} but the series has ${values.length} points`,
      { details: { index: window.index, end, seriesLength: values.length } },
    );
  }
  const copy = (start: number, stop: number): number[] => {
    const out = new Array<number>(stop - start);
    for (let position = start; position < stop; position++) out[position - start] = values[position]!;
    return out;
  };
  return { context: copy(window.contextStart, window.cutoff), actual: copy(window.cutoff, end) };
}
