'use client';
import { forwardRef, useEffect, useMemo, useState } from 'react';
import { displayIndices } from '@/lib/core/downsample';
import { Area, Brush, CartesianGrid, ComposedChart, Legend, Line, ReferenceArea, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesArrays } from '@/lib/client/protocol';
import type { ForecastReport } from '@/lib/report/schema';
import { reportQualityMarks, reportSeries } from '@/lib/report/series';
import { bandOpacity, CHART_COLORS, CHART_FONT } from './chart-style';
import { formatLevel, timeLabeler } from './number-format';

type Row = { x: number; history?: number | null; median?: number | null } & Record<string, unknown>;

/** Legend order: what was observed, what is forecast, how sure (widest band first), how it did before. */
function legendRank(dataKey: string): number {
  if (dataKey === 'history') return 0;
  if (dataKey === 'median') return 1;
  if (dataKey.startsWith('band')) return 2 + Number(dataKey.slice(4)) / 100;
  return 3;
}

/** Rows beyond this get a brush that starts on the newest part; the rest stays one drag away. */
const BRUSH_DEFAULT_ROWS = 600;

/**
 * Pixel columns the history is drawn at (about a wide chart's plot width): a longer history is
 * downsampled for display only (min/max per column, lib/core/downsample) once it passes twice
 * this; the brush's range is re-sampled from every point in it. Tables, metrics and exports keep
 * every point.
 */
export const CHART_COLUMNS = 1200;

/**
 * History, the median forecast with a band per symmetric pair of quantile levels, and one
 * model's backtest forecasts drawn over the actuals they were made for; the quality report's gaps
 * shaded and its outliers circled; a brush to zoom.
 */
export const ForecastChart = forwardRef<
  HTMLDivElement,
  {
    report: ForecastReport;
    backtestModelId?: string;
    /** The history as the worker handed it (typed arrays, NaN = missing): downsampled from directly. Else report.data. */
    history?: SeriesArrays | null;
  }
>(function ForecastChart({ report, backtestModelId, history = null }, ref) {
  const series = useMemo(() => reportSeries(report, { backtestModelId }), [report, backtestModelId]);
  /** Every point of the history as x and y (null or NaN = missing); only `shown` of them are drawn. */
  const points = useMemo((): { x: ArrayLike<number>; y: ArrayLike<number | null> } => {
    if (!history || history.values.length !== report.data.values.length) return series.history;
    return { x: history.timestampsMs ?? series.history.x, y: history.values };
  }, [history, report, series]);
  const marks = useMemo(() => reportQualityMarks(report), [report]);
  /** The brush's x range once the user has moved it (null: the default view). */
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => setZoom(null), [points]);
  const shown = useMemo(() => displayIndices(points.x, points.y, CHART_COLUMNS, zoom), [points, zoom]);
  const rows = useMemo(() => {
    const byX = new Map<number, Row>();
    const rowAt = (x: number) => {
      let row = byX.get(x);
      if (!row) byX.set(x, (row = { x }));
      return row;
    };
    const valueAt = (index: number) => {
      const value = points.y[index];
      return value === null || value === undefined || Number.isNaN(value) ? null : value;
    };
    for (const index of shown) rowAt(points.x[index]!).history = valueAt(index);
    series.backtests.forEach((window) => window.x.forEach((x, step) => (rowAt(x)[`backtest${window.index}`] = window.median[step]!)));
    series.forecast.x.forEach((x, step) => {
      const row = rowAt(x);
      row.median = series.forecast.median[step]!;
      series.forecast.bands.forEach((band, index) => {
        const lower = band.lower[step]!;
        const upper = band.upper[step]!;
        row[`band${index}`] = lower === null || upper === null ? null : [lower, upper];
      });
    });
    // Join the forecast to the last observed point so the lines meet.
    const lastX = points.x.length ? points.x[points.x.length - 1] : undefined;
    const lastValue = points.x.length ? valueAt(points.x.length - 1) : null;
    if (lastX !== undefined && lastValue !== null) {
      const row = rowAt(lastX);
      row.median = lastValue;
      series.forecast.bands.forEach((_, index) => (row[`band${index}`] = [lastValue, lastValue]));
    }
    return [...byX.values()].sort((a, b) => a.x - b.x);
  }, [series, points, shown]);
  const format = timeLabeler(report.data.frequency, series.timeAxis);
  const indexOf = (x: number) => {
    const found = rows.findIndex((row) => row.x >= x);
    return found < 0 ? rows.length - 1 : found;
  };
  const brushStart = zoom ? indexOf(zoom.from) : rows.length > BRUSH_DEFAULT_ROWS ? rows.length - BRUSH_DEFAULT_ROWS : 0;
  const brushEnd = zoom ? indexOf(zoom.to) : rows.length - 1;
  const downsampled = shown.length < points.x.length;
  return (
    <div data-testid="forecast-chart" ref={ref} style={{ width: '100%', height: 420 }} data-history-points={points.x.length} data-drawn-points={shown.length}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }} style={{ fontFamily: CHART_FONT, fontSize: 12 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} />
          <XAxis dataKey="x" type="number" scale={series.timeAxis ? 'time' : 'linear'} domain={['dataMin', 'dataMax']} tickFormatter={format} minTickGap={40} stroke={CHART_COLORS.axis} />
          <YAxis domain={['auto', 'auto']} width={64} stroke={CHART_COLORS.axis} tickFormatter={(value: number) => Number(value.toPrecision(4)).toString()} />
          <Tooltip
            labelFormatter={(x) => format(Number(x))}
            formatter={(value) => (Array.isArray(value) ? value.map((v) => Number(v).toFixed(3)).join(' – ') : Number(value).toFixed(3))}
          />
          <Legend itemSorter={(item) => legendRank(String(item.dataKey))} />
          {marks.gaps.map((gap) => (
            <ReferenceArea
              key={`gap${gap.fromX}`}
              className="quality-gap"
              x1={gap.fromX}
              x2={gap.toX}
              fill={CHART_COLORS.gap}
              fillOpacity={0.18}
              stroke="none"
              ifOverflow="discard"
            />
          ))}
          {series.forecast.bands.map((band, index) => (
            <Area
              key={`band${index}`}
              dataKey={`band${index}`}
              name={`${formatLevel(band.coverage)} interval (${formatLevel(band.lowerLevel)}–${formatLevel(band.upperLevel)})`}
              stroke="none"
              fill={CHART_COLORS.band}
              fillOpacity={bandOpacity(index)}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          <Line dataKey="history" name="history" stroke={CHART_COLORS.history} dot={false} strokeWidth={1.2} isAnimationActive={false} connectNulls={false} />
          {series.backtests.map((window, index) => (
            <Line
              key={`backtest${window.index}`}
              dataKey={`backtest${window.index}`}
              name="backtest median"
              legendType={index === 0 ? 'line' : 'none'}
              stroke={CHART_COLORS.backtest}
              strokeDasharray="4 3"
              dot={false}
              strokeWidth={1.6}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          <Line dataKey="median" name="median forecast" stroke={CHART_COLORS.median} dot={false} strokeWidth={2} isAnimationActive={false} connectNulls={false} />
          {marks.outliers.map((outlier, index) => (
            <ReferenceDot
              key={`outlier${index}`}
              className="quality-outlier"
              x={outlier.x}
              y={outlier.y}
              r={4}
              fill="none"
              stroke={CHART_COLORS.outlier}
              strokeWidth={1.5}
              ifOverflow="discard"
            />
          ))}
          {rows.length > 2 && (
            <Brush
              // Re-sampling changes the rows under the brush: remount it at the new indices of the same x range.
              key={zoom ? `${zoom.from}-${zoom.to}` : 'default'}
              dataKey="x"
              height={24}
              travellerWidth={8}
              stroke={CHART_COLORS.axis}
              tickFormatter={format}
              startIndex={brushStart}
              endIndex={brushEnd}
              onDragEnd={
                downsampled
                  ? (range: { startIndex?: number; endIndex?: number }) => {
                      const from = rows[range.startIndex ?? 0]?.x;
                      const to = rows[range.endIndex ?? rows.length - 1]?.x;
                      if (from !== undefined && to !== undefined && (from !== zoom?.from || to !== zoom?.to)) setZoom({ from, to });
                    }
                  : undefined
              }
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
});
