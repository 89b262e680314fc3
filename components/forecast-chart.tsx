'use client';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ForecastResult } from '@/lib/client/protocol';
import { quantileAt, pointForecast } from '@/lib/core/forecast';
import { frequencyFromLabel } from '@/lib/core/frequency';
import { formatTimestamp } from '@/lib/core/time-format';

interface Row {
  x: number;
  history?: number | null;
  median?: number;
  band?: [number, number];
}

/** How much history to draw: enough to see a few seasons next to the forecast. */
const HISTORY_POINTS = 400;

export function ForecastChart({ result }: { result: ForecastResult }) {
  const frequency = result.frequency ? frequencyFromLabel(result.frequency) : null;
  const history = result.history;
  const firstShown = Math.max(0, history.values.length - HISTORY_POINTS);
  const xOfHistory = (index: number) => history.timestampsMs?.[index] ?? index;
  const rows: Row[] = [];
  for (let i = firstShown; i < history.values.length; i++) {
    const value = history.values[i]!;
    rows.push({ x: xOfHistory(i), history: Number.isNaN(value) ? null : value });
  }
  const median = pointForecast(result.forecast);
  const hasBand = result.forecast.quantileLevels.some((l) => Math.abs(l - 0.1) < 1e-9) && result.forecast.quantileLevels.some((l) => Math.abs(l - 0.9) < 1e-9);
  const lower = hasBand ? quantileAt(result.forecast, 0.1) : null;
  const upper = hasBand ? quantileAt(result.forecast, 0.9) : null;
  median.forEach((value, step) => {
    const x = result.forecastTimestampsMs?.[step] ?? history.values.length + step;
    rows.push({ x, median: value, band: lower && upper ? [lower[step]!, upper[step]!] : undefined });
  });
  // Join the lines: the forecast starts from the last observed point.
  const lastHistory = rows[history.values.length - firstShown - 1];
  if (lastHistory && lastHistory.history != null) {
    lastHistory.median = lastHistory.history;
    if (hasBand) lastHistory.band = [lastHistory.history, lastHistory.history];
  }
  const format = (x: number) => (history.timestampsMs ? formatTimestamp(x, frequency) : String(x));
  return (
    <div data-testid="forecast-chart" style={{ width: '100%', height: 380 }}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 10, right: 20, bottom: 10, left: 10 }}>
          <CartesianGrid stroke="#eef1f4" />
          <XAxis dataKey="x" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={format} minTickGap={40} />
          <YAxis domain={['auto', 'auto']} width={60} />
          <Tooltip labelFormatter={(x) => format(Number(x))} formatter={(value) => (Array.isArray(value) ? value.map((v) => Number(v).toFixed(3)).join(' – ') : Number(value).toFixed(3))} />
          <Legend />
          {hasBand && <Area dataKey="band" name="80% interval (10%–90%)" stroke="none" fill="var(--band)" fillOpacity={0.5} isAnimationActive={false} />}
          <Line dataKey="history" name="history" stroke="#334155" dot={false} strokeWidth={1.2} isAnimationActive={false} connectNulls={false} />
          <Line dataKey="median" name="median forecast" stroke="var(--accent)" dot={false} strokeWidth={2} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
