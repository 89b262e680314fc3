import type { ForecastReport } from '@/lib/report/schema';
import { reportQualityMarks, reportSeries } from '@/lib/report/series';
import { chartGeometry, type ChartBox } from './chart-geometry';
import { bandOpacity, CHART_COLORS, CHART_FONT } from './chart-style';
import { formatLevel, timeLabeler } from './number-format';

const BOX: ChartBox = { width: 960, height: 400, padding: { top: 16, right: 20, bottom: 36, left: 64 } };

/**
 * The forecast chart as plain SVG, rendered on the server: history, bands, median, the backtest
 * forecasts and the quality report's gaps and outliers, readable with JavaScript off and without WebGPU.
 */
export function StaticForecastChart({ report }: { report: ForecastReport }) {
  const series = reportSeries(report);
  const marks = reportQualityMarks(report);
  const geometry = chartGeometry(series, BOX, marks);
  const format = timeLabeler(report.data.frequency, series.timeAxis);
  const { padding } = BOX;
  const bottom = BOX.height - padding.bottom;
  return (
    <figure className="static-chart" data-testid="forecast-chart">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        width="100%"
        role="img"
        aria-label={`Forecast chart: ${report.title}`}
        style={{ fontFamily: CHART_FONT, fontSize: 12 }}
        xmlns="http://www.w3.org/2000/svg"
      >
        <rect x={0} y={0} width={BOX.width} height={BOX.height} fill="#fff" />
        {geometry.yTicks.map((tick) => (
          <g key={`y${tick.value}`}>
            <line x1={padding.left} x2={BOX.width - padding.right} y1={tick.y} y2={tick.y} stroke={CHART_COLORS.grid} />
            <text x={padding.left - 6} y={tick.y + 4} textAnchor="end" fill={CHART_COLORS.axis}>
              {tick.value}
            </text>
          </g>
        ))}
        {geometry.xTicks.map((tick, index) => (
          <text
            key={`x${index}`}
            x={tick.x}
            y={bottom + 18}
            // The outermost labels align inwards so they stay inside the picture.
            textAnchor={index === 0 ? 'start' : index === geometry.xTicks.length - 1 ? 'end' : 'middle'}
            fill={CHART_COLORS.axis}
          >
            {format(tick.value)}
          </text>
        ))}
        {geometry.gapSpans.map((span) => (
          <rect key={`gap${span.x}`} className="quality-gap" x={span.x} y={padding.top} width={span.width} height={bottom - padding.top} fill={CHART_COLORS.gap} fillOpacity={0.18} />
        ))}
        <line x1={geometry.forecastStartX} x2={geometry.forecastStartX} y1={padding.top} y2={bottom} stroke={CHART_COLORS.cutoff} strokeDasharray="3 3" />
        {geometry.bandPaths.map((path, index) => (
          <path key={`band${index}`} className="band" d={path} fill={CHART_COLORS.band} fillOpacity={bandOpacity(index)} stroke="none" />
        ))}
        <path className="history" d={geometry.historyPath} fill="none" stroke={CHART_COLORS.history} strokeWidth={1.2} />
        {geometry.backtestPaths.map((path, index) => (
          <path key={`backtest${index}`} className="backtest" d={path} fill="none" stroke={CHART_COLORS.backtest} strokeWidth={1.6} strokeDasharray="4 3" />
        ))}
        <path className="median" d={geometry.medianPath} fill="none" stroke={CHART_COLORS.median} strokeWidth={2} />
        {geometry.outlierPoints.map((point, index) => (
          <circle key={`outlier${index}`} className="quality-outlier" cx={point.cx} cy={point.cy} r={4} fill="none" stroke={CHART_COLORS.outlier} strokeWidth={1.5} />
        ))}
      </svg>
      <figcaption className="note">
        <span style={{ color: CHART_COLORS.history }}>━</span> history · <span style={{ color: CHART_COLORS.median }}>━</span> median forecast
        {series.forecast.bands.length > 0 && <> · shaded: {series.forecast.bands.map((band) => `${formatLevel(band.coverage)}`).join(', ')} intervals</>}
        {geometry.gapSpans.length > 0 && (
          <>
            {' '}
            · <span style={{ color: CHART_COLORS.gap }}>▮</span> gaps in the data
          </>
        )}
        {geometry.outlierPoints.length > 0 && (
          <>
            {' '}
            · <span style={{ color: CHART_COLORS.outlier }}>○</span> outliers
          </>
        )}
        {series.backtests.length > 0 && (
          <>
            {' '}
            · <span style={{ color: CHART_COLORS.backtest }}>╌</span> backtest medians of {report.model.label}
          </>
        )}
      </figcaption>
    </figure>
  );
}
