import { CHART_COLORS } from './chart-style';

/** One series of a finished job: the history tail, the median and the outermost band, as SVG. */
export interface JobSeriesResult {
  levels: number[];
  quantiles: number[][];
  mean: number[];
  history: { values: (number | null)[] };
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = 36;

export function JobSeriesChart({ result, label }: { result: JobSeriesResult; label: string }) {
  const history = result.history.values;
  const lowIndex = 0;
  const highIndex = result.levels.length - 1;
  const median = result.levels.indexOf(0.5) >= 0 ? result.quantiles[result.levels.indexOf(0.5)]! : result.mean;
  const all = [...history, ...result.quantiles[lowIndex]!, ...result.quantiles[highIndex]!].filter((value): value is number => value !== null && Number.isFinite(value));
  const low = Math.min(...all);
  const high = Math.max(...all);
  const span = high - low || 1;
  const steps = history.length + median.length;
  const x = (index: number) => PAD + (index / Math.max(1, steps - 1)) * (WIDTH - 2 * PAD);
  const y = (value: number) => HEIGHT - PAD - ((value - low) / span) * (HEIGHT - 2 * PAD);
  const line = (values: readonly (number | null)[], offset: number) =>
    values
      .map((value, index) => (value === null ? null : `${x(offset + index).toFixed(1)},${y(value).toFixed(1)}`))
      .filter(Boolean)
      .join(' ');
  const band = [
    ...result.quantiles[highIndex]!.map((value, index) => `${x(history.length + index).toFixed(1)},${y(value).toFixed(1)}`),
    ...result.quantiles[lowIndex]!.map((value, index) => `${x(history.length + index).toFixed(1)},${y(value).toFixed(1)}`).reverse(),
  ].join(' ');
  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={`Forecast of ${label}`} data-testid="job-series-chart">
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="#fff" />
      <polygon points={band} fill={CHART_COLORS.band} fillOpacity={0.3} />
      <polyline points={line(history, 0)} fill="none" stroke={CHART_COLORS.history} strokeWidth={1.5} />
      <polyline points={line(median, history.length)} fill="none" stroke={CHART_COLORS.median} strokeWidth={2} />
      <text x={4} y={PAD} fontSize={11} fill={CHART_COLORS.axis}>{high.toPrecision(4)}</text>
      <text x={4} y={HEIGHT - PAD} fontSize={11} fill={CHART_COLORS.axis}>{low.toPrecision(4)}</text>
      <text x={x(history.length)} y={HEIGHT - 8} fontSize={11} fill={CHART_COLORS.axis}>
        {`${result.levels[lowIndex]}–${result.levels[highIndex]} band, median`}
      </text>
    </svg>
  );
}
