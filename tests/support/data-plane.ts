import { decodeWindow, type WindowBatch } from '@/lib/data/arrow-window';

/**
 * Helpers for the data-plane tests: calling route handlers directly with a Request (no server),
 * a market table with known contents, and an independent reference for bucketed aggregates.
 */

export type RouteHandler<Params> = (request: Request, context: { params: Promise<Params> }) => Promise<Response>;

export function call<Params>(handler: RouteHandler<Params>, url: string, params: Params, init?: RequestInit): Promise<Response> {
  return handler(new Request(new URL(url, 'http://lookahead.test'), init), { params: Promise.resolve(params) });
}

export async function readWindow(response: Response): Promise<WindowBatch> {
  if (response.status !== 200) throw new Error(`window: HTTP ${response.status}: ${await response.text()}`);
  return decodeWindow(response.body!);
}

export const SYMBOLS = ['AAA', 'BBB', 'CCC'] as const;
export const MINUTES = 1_500;
export const MARKET_START_MS = Date.UTC(2024, 0, 1);

/** Deterministic price with NULLs every 37th minute (so missing values are exercised). */
export function priceAt(symbolIndex: number, minute: number): number | null {
  if ((minute + symbolIndex) % 37 === 0) return null;
  return 100 * (symbolIndex + 1) + Math.sin(minute / 10) * 5 + (minute % 7) * 0.25;
}

/** SQL that creates the market fixture: schema market (prices), sensors (daily with date, readings without zone), secret. */
export function marketFixtureSql(): string[] {
  const statements = [
    'CREATE SCHEMA market',
    'CREATE SCHEMA sensors',
    'CREATE SCHEMA secret',
    `CREATE TABLE market.prices (symbol text NOT NULL, ts timestamptz NOT NULL, price double precision, volume bigint, note text)`,
    'CREATE INDEX prices_symbol_ts ON market.prices (symbol, ts)',
    `CREATE TABLE sensors.daily (day date NOT NULL, sensor integer NOT NULL, temperature real)`,
    `CREATE TABLE sensors.readings (taken_at timestamp without time zone NOT NULL, level numeric)`,
    'CREATE TABLE secret.hidden (ts timestamptz, value double precision)',
    'CREATE TABLE public.x (id integer)',
    'INSERT INTO public.x VALUES (1), (2)',
    `INSERT INTO sensors.daily SELECT date '2024-01-01' + d, s, (s * 10 + d % 5)::real FROM generate_series(0, 59) d, generate_series(1, 2) s`,
    `INSERT INTO sensors.readings SELECT timestamp '2024-03-01 00:00' + m * interval '15 minutes', (m % 9)::numeric / 4 FROM generate_series(0, 199) m`,
    `INSERT INTO secret.hidden VALUES (now(), 1)`,
  ];
  SYMBOLS.forEach((symbol, symbolIndex) => {
    const values: string[] = [];
    for (let minute = 0; minute < MINUTES; minute++) {
      const price = priceAt(symbolIndex, minute);
      values.push(`('${symbol}', to_timestamp(${(MARKET_START_MS + minute * 60_000) / 1000}), ${price === null ? 'NULL' : price}, ${minute * 10 + symbolIndex}, NULL)`);
    }
    statements.push(`INSERT INTO market.prices VALUES ${values.join(', ')}`);
  });
  return statements;
}

export type Aggregate = 'avg' | 'min' | 'max' | 'last';
const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

/** Independent reference: bucket (origin Monday 2000-01-03) and aggregate, skipping missing values. */
export function referenceBuckets(timestampsMs: ArrayLike<number>, values: ArrayLike<number>, bucketMs: number, agg: Aggregate): { timestampsMs: number[]; values: number[] } {
  const groups = new Map<number, { ts: number; value: number }[]>();
  for (let index = 0; index < timestampsMs.length; index++) {
    const ts = timestampsMs[index]!;
    const key = BUCKET_ORIGIN_MS + Math.floor((ts - BUCKET_ORIGIN_MS) / bucketMs) * bucketMs;
    const list = groups.get(key) ?? [];
    list.push({ ts, value: values[index]! });
    groups.set(key, list);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  return {
    timestampsMs: keys,
    values: keys.map((key) => {
      const present = groups.get(key)!.filter((entry) => !Number.isNaN(entry.value));
      if (present.length === 0) return Number.NaN;
      switch (agg) {
        case 'avg':
          return present.reduce((sum, entry) => sum + entry.value, 0) / present.length;
        case 'min':
          return Math.min(...present.map((entry) => entry.value));
        case 'max':
          return Math.max(...present.map((entry) => entry.value));
        case 'last':
          return present.reduce((latest, entry) => (entry.ts >= latest.ts ? entry : latest)).value;
      }
    }),
  };
}

export const INJECTION_PAYLOADS = ['"; DROP TABLE x; --', "'; DROP TABLE x; --", '"market"."prices"', 'prîcés_ünïcödé_价格', 'a'.repeat(5_000), 'x\u0000y'];
