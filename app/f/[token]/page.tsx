import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { ComparisonTable } from '@/components/comparison-table';
import { ConfigSummary } from '@/components/config-summary';
import { ForecastTable } from '@/components/forecast-table';
import { QualityPanel } from '@/components/quality-panel';
import { formatMs, timeLabeler } from '@/components/number-format';
import { StaticForecastChart } from '@/components/static-forecast-chart';
import { serializeForecastConfig, workbenchHref } from '@/lib/config';
import type { ForecastReport } from '@/lib/report/schema';
import { originFromHeaders } from '@/lib/server/public-url';
import { loadShare } from './share';

export const dynamic = 'force-dynamic';

type Params = Promise<{ token: string }>;

function describe(report: ForecastReport): string {
  const best = report.backtest?.comparison.rows.find((row) => row.best.includes('mase'));
  const bestLabel = best ? report.backtest!.models.find((entry) => entry.model.id === best.modelId)?.model.label : null;
  return (
    `${report.config.horizon}-step probabilistic forecast of ${report.data.column} (${report.data.name}) by ${report.model.label}` +
    (report.backtest ? `, with a ${report.backtest.windows.length}-window backtest of ${report.backtest.models.length} models${bestLabel ? ` (best MASE: ${bestLabel})` : ''}` : '') +
    '.'
  );
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { token } = await params;
  const share = await loadShare(token);
  const robots = { index: false, follow: false };
  if (!share) return { title: 'Not found · Lookahead', robots };
  const description = describe(share.report);
  return {
    metadataBase: new URL(originFromHeaders(await headers())),
    title: `${share.report.title} · Lookahead`,
    description,
    robots,
    openGraph: { type: 'article', title: share.report.title, description, siteName: 'Lookahead', url: `/f/${token}` },
    twitter: { card: 'summary_large_image', title: share.report.title, description },
  };
}

/** A shared forecast, rendered on the server from its snapshot alone: no live data, no WebGPU, no client JavaScript of ours. */
export default async function SharedForecastPage({ params }: { params: Params }) {
  const { token } = await params;
  const share = await loadShare(token);
  if (!share) notFound();
  const { report } = share;
  const label = timeLabeler(report.data.frequency, report.data.timestampsMs !== null);
  const times = report.data.timestampsMs;
  const span = times ? `${label(times[0]!)} to ${label(times.at(-1)!)}` : `${report.data.values.length} points without timestamps`;
  const run = report.backtest ? 'backtest' : 'forecast';
  return (
    <article className="shared" data-testid="shared-forecast">
      <header className="shared-header">
        <h2>{report.title}</h2>
        <p className="note">
          Shared forecast · created {share.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC ·{' '}
          {share.expiresAt ? `expires ${share.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'does not expire'} · a snapshot: these numbers never
          change.
        </p>
        <p>
          <a className="button-like" href={`${workbenchHref(report.config)}&run=${run}`} data-testid="open-in-workbench">
            Open in workbench
          </a>{' '}
          <span className="note">re-runs this configuration on today&apos;s data.</span>
        </p>
      </header>
      <section className="panel">
        <StaticForecastChart report={report} />
        <p className="status" data-testid="runtime">
          {report.model.label}
          {report.model.revision ? ` (revision ${report.model.revision})` : ''}
          {report.model.sha256 ? `, weights sha256 ${report.model.sha256}` : ''} · computed in the browser with {report.runtime.label} in{' '}
          <span data-testid="elapsed">{formatMs(report.timings.totalMs)}</span> · data: {report.data.name}, {report.data.column}
          {report.data.frequency ? ` (${report.data.frequency})` : ''}, {report.data.values.length} points from {span}.
        </p>
        {report.forecast.notes.map((note) => (
          <p className="note" key={note}>
            {note}
          </p>
        ))}
        <QualityPanel quality={report.quality} />
      </section>
      {report.backtest && (
        <section className="panel" aria-label="Model comparison">
          <h3>Backtest comparison</h3>
          <ComparisonTable backtest={report.backtest} shownModelId={report.model.id} />
        </section>
      )}
      <section className="panel" aria-label="Forecast values">
        <h3>Forecast values</h3>
        <ForecastTable report={report} />
      </section>
      <section className="panel" aria-label="Configuration">
        <h3>Configuration</h3>
        <ConfigSummary config={report.config} />
        <details>
          <summary>As JSON (import it in the workbench)</summary>
          <pre data-testid="config-json">{serializeForecastConfig(report.config)}</pre>
        </details>
        <p className="note">
          The whole snapshot: <a href={`/api/forecasts/${token}`}>JSON</a>.
        </p>
      </section>
    </article>
  );
}
