import type { Metadata } from 'next';
import { MonitorDashboard } from '@/components/monitor-dashboard';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Monitoring · Lookahead' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** /monitor?range=24h: model latency, throughput and errors, training curves, the job queue, data freshness, alerts and anomalies. */
export default async function MonitorPage({ searchParams }: { searchParams: SearchParams }) {
  const range = (await searchParams).range;
  return (
    <div className="shared">
      <div className="shared-header">
        <h2>Monitoring</h2>
        <p className="note">Every model run (server API, browser worker, jobs) and training step, from the app database. Prometheus scrapes <a href="/metrics">/metrics</a>.</p>
      </div>
      <MonitorDashboard initialRange={typeof range === 'string' ? range : '24h'} />
    </div>
  );
}
