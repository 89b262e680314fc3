import http from 'node:http';

/**
 * A closed-loop HTTP load generator: `connections` keep-alive clients, each sending its next GET as
 * soon as the previous response has been read in full, for `durationMs` after a warm-up. Latency
 * is measured per request from write to last byte.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  durationS: number;
  requestsPerSecond: number;
  bytesPerRequest: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export async function runLoad({
  url,
  connections,
  durationMs,
  warmupMs = 2_000,
  headers = {},
}: {
  url: string;
  /** Sent with every request (a conditional request's If-None-Match, a bypass header). */
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  warmupMs?: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const get = () =>
    new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const request = http.get({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', reject);
      });
      request.on('error', reject);
    });

  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  const client = async () => {
    while (!stop) {
      const started = performance.now();
      try {
        const response = await get();
        if (measuring) {
          latencies.push(performance.now() - started);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          bytes += response.bytes;
        }
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const clients = Array.from({ length: connections }, client);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  measuring = false;
  const durationS = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(clients);
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    requests: latencies.length,
    errors,
    statuses,
    durationS: round(durationS),
    requestsPerSecond: round(latencies.length / durationS),
    bytesPerRequest: latencies.length ? Math.round(bytes / latencies.length) : 0,
    latencyMs: {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(latencies.at(-1) ?? Number.NaN),
      mean: round(latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length)),
    },
  };
}
