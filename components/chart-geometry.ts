import type { ReportQualityMarks, ReportSeries } from '@/lib/report/series';

/**
 * Pixel geometry of a report's chart for renderers without recharts: the shared page's SVG (server
 * rendered, no JavaScript) and the OpenGraph preview image. Paths break at missing values.
 */
export interface ChartBox {
  width: number;
  height: number;
  padding: { top: number; right: number; bottom: number; left: number };
}

export interface ChartGeometry {
  historyPath: string;
  medianPath: string;
  /** Widest band first. */
  bandPaths: string[];
  backtestPaths: string[];
  /** x of the first forecast step (where history ends). */
  forecastStartX: number;
  xTicks: { x: number; value: number }[];
  yTicks: { y: number; value: number }[];
  /** The quality report's outliers inside the drawn range, as circle centres. */
  outlierPoints: { cx: number; cy: number }[];
  /** The quality report's gaps inside the drawn range, as x spans. */
  gapSpans: { x: number; width: number }[];
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const round = (value: number) => Math.round(value * 10) / 10;

export function chartGeometry(series: ReportSeries, box: ChartBox, marks: ReportQualityMarks = { outliers: [], gaps: [] }): ChartGeometry {
  const { padding } = box;
  const allX = [...series.history.x, ...series.forecast.x];
  // Loops, not Math.min(...list): spreading a long history overflows the call stack.
  const extent = (list: readonly number[]): [number, number] => {
    let low = Infinity;
    let high = -Infinity;
    for (const value of list) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
    return [low, high];
  };
  const values: number[] = [];
  const collect = (list: readonly (number | null)[]) => list.forEach((value) => value !== null && Number.isFinite(value) && values.push(value));
  collect(series.history.y);
  collect(series.forecast.median);
  series.forecast.bands.forEach((band) => (collect(band.lower), collect(band.upper)));
  series.backtests.forEach((window) => collect(window.median));
  const [minX, maxX] = extent(allX);
  const [valuesMin, valuesMax] = extent(values);
  let minY = values.length ? valuesMin : 0;
  let maxY = values.length ? valuesMax : 1;
  if (minY === maxY) {
    minY -= 1;
    maxY += 1;
  }
  const margin = (maxY - minY) * 0.05;
  minY -= margin;
  maxY += margin;
  const plotWidth = box.width - padding.left - padding.right;
  const plotHeight = box.height - padding.top - padding.bottom;
  const sx = (x: number) => round(padding.left + (maxX === minX ? plotWidth / 2 : ((x - minX) / (maxX - minX)) * plotWidth));
  const sy = (y: number) => round(padding.top + (1 - (y - minY) / (maxY - minY)) * plotHeight);

  const line = (xs: readonly number[], ys: readonly (number | null)[]) => {
    let path = '';
    let pen = false;
    xs.forEach((x, index) => {
      const y = ys[index];
      if (y === null || y === undefined || !Number.isFinite(y)) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${sx(x)},${sy(y)}`;
      pen = true;
    });
    return path;
  };
  // The forecast starts from the last observed point, so the lines meet.
  const lastX = series.history.x.at(-1);
  const lastY = series.history.y.at(-1);
  const joined = lastX !== undefined && lastY !== null && lastY !== undefined;
  const forecastXs = joined ? [lastX!, ...series.forecast.x] : series.forecast.x;
  const withJoin = (ys: readonly (number | null)[]) => (joined ? [lastY!, ...ys] : ys);
  const bandPaths = series.forecast.bands.map((band) => {
    const lower = withJoin(band.lower);
    const upper = withJoin(band.upper);
    const points = forecastXs.map((x, index) => ({ x, lower: lower[index], upper: upper[index] })).filter((point) => point.lower !== null && point.upper !== null);
    if (points.length === 0) return '';
    const top = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${sx(point.x)},${sy(point.upper!)}`).join('');
    const bottom = [...points].reverse().map((point) => `L${sx(point.x)},${sy(point.lower!)}`).join('');
    return `${top}${bottom}Z`;
  });

  const xStep = niceStep(maxX - minX, 6);
  const xTicks: ChartGeometry['xTicks'] = [];
  if (!series.timeAxis) {
    for (let value = Math.ceil(minX / xStep) * xStep; value <= maxX; value += xStep) xTicks.push({ x: sx(value), value });
  } else {
    // Time ticks at evenly spaced data points; the labeller formats them at the data's resolution.
    const count = 6;
    for (let index = 0; index <= count; index++) {
      const value = allX[Math.round((index / count) * (allX.length - 1))]!;
      xTicks.push({ x: sx(value), value });
    }
  }
  const yStep = niceStep(maxY - minY, 6);
  const yTicks: ChartGeometry['yTicks'] = [];
  for (let value = Math.ceil(minY / yStep) * yStep; value <= maxY; value += yStep) yTicks.push({ y: sy(value), value: Number(value.toPrecision(6)) });

  // Marks outside the drawn history (a preview shows only the newest points) are left out.
  const firstX = series.history.x[0] ?? minX;
  const lastHistoryX = series.history.x.at(-1) ?? maxX;
  const inside = (x: number) => x >= firstX && x <= lastHistoryX;
  const outlierPoints = marks.outliers.filter((point) => inside(point.x)).map((point) => ({ cx: sx(point.x), cy: sy(point.y) }));
  const gapSpans = marks.gaps
    .filter((gap) => gap.toX > firstX && gap.fromX < lastHistoryX)
    .map((gap) => {
      const left = sx(Math.max(gap.fromX, firstX));
      return { x: left, width: round(sx(Math.min(gap.toX, lastHistoryX)) - left) };
    });

  return {
    historyPath: line(series.history.x, series.history.y),
    medianPath: line(forecastXs, withJoin(series.forecast.median)),
    bandPaths,
    backtestPaths: series.backtests.map((window) => line(window.x, window.median)),
    forecastStartX: sx(series.forecast.x[0] ?? maxX),
    xTicks,
    yTicks,
    outlierPoints,
    gapSpans,
  };
}
