import { getMonitor, PROMETHEUS_CONTENT_TYPE } from '@/lib/server/monitoring';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /metrics: Prometheus text format (request counts and latency per route and model, queue, workers, training runs, monitoring buffers). */
export async function GET(): Promise<Response> {
  return new Response(await getMonitor().renderMetrics(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' } });
}
