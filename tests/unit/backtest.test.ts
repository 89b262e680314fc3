import { describe, expect, it } from 'vitest';
import { backtestWindows, sliceWindow, type BacktestSettings } from '@/lib/core/backtest';
import { LookaheadError } from '@/lib/core/errors';

describe('backtestWindows: hand-computed', () => {
  it('20 points, 3 windows of horizon 4, step 2: cutoffs 12, 14, 16, oldest first', () => {
    expect(backtestWindows(20, { windows: 3, step: 2, horizon: 4 })).toEqual([
      { index: 0, contextStart: 0, cutoff: 12, horizon: 4 },
      { index: 1, contextStart: 0, cutoff: 14, horizon: 4 },
      { index: 2, contextStart: 0, cutoff: 16, horizon: 4 },
    ]);
  });

  it('a context limit of 5 starts each context 5 points before its cutoff', () => {
    const windows = backtestWindows(20, { windows: 3, step: 2, horizon: 4, context: 5 });
    expect(windows.map((window) => window.contextStart)).toEqual([7, 9, 11]);
  });

  it('a context limit longer than the history keeps all of it', () => {
    const windows = backtestWindows(10, { windows: 2, step: 3, horizon: 2, context: 100 });
    expect(windows.map((window) => [window.contextStart, window.cutoff])).toEqual([
      [0, 5],
      [0, 8],
    ]);
  });

  it('the shortest series that fits: minContext + (windows - 1) * step + horizon', () => {
    // 1 + 2 * 2 + 4 = 9 points: the oldest window keeps 1 point of context.
    expect(backtestWindows(9, { windows: 3, step: 2, horizon: 4 })[0]!.cutoff).toBe(1);
    // 3 + 2 * 2 + 4 = 11 points with minContext 3.
    expect(backtestWindows(11, { windows: 3, step: 2, horizon: 4, minContext: 3 })[0]!.cutoff).toBe(3);
  });

  it('step smaller than horizon gives overlapping actuals', () => {
    const [first, second] = backtestWindows(10, { windows: 2, step: 1, horizon: 3 });
    expect([first!.cutoff, second!.cutoff]).toEqual([6, 7]);
  });
});

describe('sliceWindow', () => {
  it('copies context [contextStart, cutoff) and actuals [cutoff, cutoff + horizon)', () => {
    const values = Float64Array.from({ length: 20 }, (_, index) => index * 10);
    const window = backtestWindows(20, { windows: 3, step: 2, horizon: 4, context: 5 })[1]!;
    expect(sliceWindow(values, window)).toEqual({ context: [90, 100, 110, 120, 130], actual: [140, 150, 160, 170] });
  });

  it('returns fresh arrays, not views of the series', () => {
    const values = [1, 2, 3, 4];
    const sliced = sliceWindow(values, { index: 0, contextStart: 0, cutoff: 2, horizon: 2 });
    sliced.context[0] = 99;
    expect(values[0]).toBe(1);
  });

  it('throws when the series is shorter than the window', () => {
    expect(() => sliceWindow([1, 2, 3], { index: 4, contextStart: 0, cutoff: 2, horizon: 2 })).toThrow(
      'backtest: window 4 ends at 4 but the series has 3 points',
    );
  });
});

describe('backtestWindows: generative, across many settings', () => {
  // Values equal their own index, so a sliced value says exactly where it came from. Problems
  // are collected as text and asserted once: an expect() per value makes this sweep slow.
  it('never leaks the future, ends at the series end, steps back by step, respects context', () => {
    const problems: string[] = [];
    let checked = 0;
    let rejected = 0;
    for (let seriesLength = 0; seriesLength <= 40; seriesLength += 3) {
      const values = Array.from({ length: seriesLength }, (_, index) => index);
      for (const windows of [1, 2, 3, 5, 8]) {
        for (const step of [1, 2, 3, 7]) {
          for (const horizon of [1, 2, 5, 12]) {
            for (const context of [undefined, 1, 3, 10, 64]) {
              for (const minContext of [undefined, 3]) {
                if (context !== undefined && minContext !== undefined && minContext > context) continue;
                const settings: BacktestSettings = { windows, step, horizon, context, minContext };
                const label = `length ${seriesLength} ${JSON.stringify(settings)}`;
                const needed = (minContext ?? 1) + (windows - 1) * step + horizon;
                if (seriesLength < needed) {
                  try {
                    backtestWindows(seriesLength, settings);
                    problems.push(`${label}: accepted, needs ${needed}`);
                  } catch (error) {
                    const message = (error as Error).message;
                    if (!message.includes(`needs at least ${needed} points`) || !message.endsWith(`has ${seriesLength}`)) {
                      problems.push(`${label}: wrong message ${message}`);
                    }
                  }
                  rejected++;
                  continue;
                }
                const result = backtestWindows(seriesLength, settings);
                if (result.length !== windows) problems.push(`${label}: ${result.length} windows`);
                const last = result[result.length - 1]!;
                if (last.cutoff + last.horizon !== seriesLength) problems.push(`${label}: last window ends at ${last.cutoff + last.horizon}`);
                result.forEach((window, position) => {
                  const where = `${label} window ${position}`;
                  if (window.index !== position || window.horizon !== horizon) problems.push(`${where}: index/horizon`);
                  if (position > 0 && window.cutoff - result[position - 1]!.cutoff !== step) problems.push(`${where}: not ${step} after the previous`);
                  const { context: contextValues, actual } = sliceWindow(values, window);
                  if (!contextValues.every((index) => index < window.cutoff)) problems.push(`${where}: context reaches the cutoff`);
                  if (!contextValues.every((index, offset) => index === window.cutoff - contextValues.length + offset)) {
                    problems.push(`${where}: context is not the run just before the cutoff`);
                  }
                  if (actual.length !== horizon || !actual.every((index, offset) => index === window.cutoff + offset)) {
                    problems.push(`${where}: actuals do not start at the cutoff`);
                  }
                  const expectedLength = context === undefined ? window.cutoff : Math.min(context, window.cutoff);
                  if (contextValues.length !== expectedLength) problems.push(`${where}: context length ${contextValues.length}`);
                  if (contextValues.length < (minContext ?? 1)) problems.push(`${where}: context shorter than minContext`);
                });
                checked++;
              }
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // Both branches must have been exercised for the sweep to mean anything.
    expect(checked).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });
});

describe('backtestWindows: errors', () => {
  it('a series too short says how many points are needed and how many there are', () => {
    expect(() => backtestWindows(8, { windows: 3, step: 2, horizon: 4 })).toThrow(
      'backtest: series too short for 3 windows of horizon 4 every 2 steps: needs at least 9 points (1 of context + 2 x 2 + 4), has 8',
    );
    expect(() => backtestWindows(3, { windows: 1, step: 1, horizon: 3 })).toThrow(
      'backtest: series too short for 1 window of horizon 3 every 1 step: needs at least 4 points (1 of context + 0 x 1 + 3), has 3',
    );
  });

  it('is a LookaheadError with code bad_input and the numbers in details', () => {
    try {
      backtestWindows(9, { windows: 3, step: 2, horizon: 4, minContext: 2 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LookaheadError);
      const lookahead = error as LookaheadError;
      expect([lookahead.subsystem, lookahead.code, lookahead.status]).toEqual(['backtest', 'bad_input', 400]);
      expect(lookahead.details).toMatchObject({ needed: 10, seriesLength: 9 });
    }
  });

  it('rejects windows, step, horizon or context below 1 or not integers', () => {
    expect(() => backtestWindows(100, { windows: 0, step: 1, horizon: 1 })).toThrow('backtest: windows must be an integer >= 1, got 0');
    expect(() => backtestWindows(100, { windows: 1, step: 0, horizon: 1 })).toThrow('backtest: step must be an integer >= 1, got 0');
    expect(() => backtestWindows(100, { windows: 1, step: 1, horizon: 0 })).toThrow('backtest: horizon must be an integer >= 1, got 0');
    expect(() => backtestWindows(100, { windows: 1, step: 1, horizon: -3 })).toThrow('backtest: horizon must be an integer >= 1, got -3');
    expect(() => backtestWindows(100, { windows: 1.5, step: 1, horizon: 1 })).toThrow('backtest: windows must be an integer >= 1, got 1.5');
    expect(() => backtestWindows(100, { windows: 1, step: 1, horizon: 1, context: 0 })).toThrow(
      'backtest: context must be an integer >= 1, got 0',
    );
  });

  it('rejects a minContext larger than context, and a bad series length', () => {
    expect(() => backtestWindows(100, { windows: 1, step: 1, horizon: 1, context: 2, minContext: 3 })).toThrow(
      'backtest: minContext (3) cannot exceed context (2)',
    );
    expect(() => backtestWindows(-1, { windows: 1, step: 1, horizon: 1 })).toThrow('backtest: series length must be an integer >= 0, got -1');
  });
});
