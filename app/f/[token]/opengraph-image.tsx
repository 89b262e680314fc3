import { ImageResponse } from 'next/og';
import { chartGeometry } from '@/components/chart-geometry';
import { bandOpacity, CHART_COLORS } from '@/components/chart-style';
import { formatNumber } from '@/components/number-format';
import type { ForecastReport } from '@/lib/report/schema';
import { reportSeries } from '@/lib/report/series';
import { SHARE_NOT_FOUND_MESSAGE } from '@/lib/server/shares';
import { cachedPreview, forgetPreview, storePreview } from './preview-cache';
import { loadShare } from './share';

// Rendered per request: a deleted or expired link must stop showing its preview at once.
export const dynamic = 'force-dynamic';
export const alt = 'Forecast chart preview';
export const size = { width: 1200, height: 630 };
export const contentType = 'image/png';

const CHART = { width: 1120, height: 400, padding: { top: 10, right: 10, bottom: 10, left: 10 } };

/** The link preview (next/og renders it offline with its bundled font): title, the chart, the headline scores. */
export default async function Image({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const share = await loadShare(token);
  if (!share) {
    forgetPreview(token);
    return Response.json({ error: { code: 'not_found', message: `share: ${SHARE_NOT_FOUND_MESSAGE}` } }, { status: 404 });
  }
  let png = cachedPreview(token);
  if (!png) {
    png = await renderPreview(share.report).arrayBuffer();
    storePreview(token, png);
  }
  // Not "immutable" (ImageResponse's default): a deleted link's image must not live on in caches.
  return new Response(png, { headers: { 'content-type': contentType, 'cache-control': 'public, max-age=0, must-revalidate' } });
}

function renderPreview(report: ForecastReport): ImageResponse {
  // The newest part of the history keeps the forecast readable at preview size.
  const geometry = chartGeometry(reportSeries(report, { historyPoints: Math.max(report.config.horizon * 4, 96) }), CHART);
  const shown = report.backtest?.comparison.rows.find((row) => row.modelId === report.model.id);
  const facts = [
    `${report.config.horizon} steps ahead`,
    `${report.forecast.quantileLevels.length} quantiles`,
    shown ? `MASE ${formatNumber(shown.values.mase)}` : null,
    shown ? `WQL ${formatNumber(shown.values.wql)}` : null,
    report.backtest ? `${report.backtest.models.length} models compared` : null,
  ].filter(Boolean);
  return new ImageResponse(
    (
      <div style={{ width: '100%', height: '100%', display: 'flex', flexDirection: 'column', background: '#ffffff', padding: 40, color: '#1b1f24' }}>
        <div style={{ display: 'flex', fontSize: 26, color: CHART_COLORS.median }}>Lookahead · shared forecast</div>
        <div style={{ display: 'flex', fontSize: 44, marginTop: 8 }}>{report.title}</div>
        <svg width={CHART.width} height={CHART.height} viewBox={`0 0 ${CHART.width} ${CHART.height}`} style={{ marginTop: 16 }}>
          {geometry.bandPaths.map((path, index) => (
            <path key={index} d={path} fill={CHART_COLORS.band} fillOpacity={bandOpacity(index)} />
          ))}
          <path d={geometry.historyPath} fill="none" stroke={CHART_COLORS.history} strokeWidth={2.5} />
          {geometry.backtestPaths.map((path, index) => (
            <path key={`b${index}`} d={path} fill="none" stroke={CHART_COLORS.backtest} strokeWidth={3} strokeDasharray="8 6" />
          ))}
          <path d={geometry.medianPath} fill="none" stroke={CHART_COLORS.median} strokeWidth={4} />
        </svg>
        <div style={{ display: 'flex', fontSize: 26, color: '#5b6470', marginTop: 12 }}>{facts.join(' · ')}</div>
      </div>
    ),
    size,
  );
}
