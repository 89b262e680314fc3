/**
 * A sensor table with a known spike, for anomaly and alert tests: series "a" is a daily-cycle
 * signal with deterministic noise and one injected spike; series "b" has a constant stretch (MAD
 * 0), missing values and a step.
 */
export const FIXTURE_START_MS = Date.UTC(2026, 0, 1);
export const STEP_MS = 3_600_000;
export const POINTS = 400;
export const SPIKE_INDEX = 300;
export const SPIKE_VALUE = 95;

export function seriesA(): number[] {
  return Array.from({ length: POINTS }, (_, i) => (i === SPIKE_INDEX ? SPIKE_VALUE : 20 + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 13));
}

export function seriesB(): (number | null)[] {
  return Array.from({ length: POINTS }, (_, i) => (i % 37 === 5 ? null : i < 150 ? 10 : i < 160 ? 10 + (i % 3) : i < 300 ? 12 : 30));
}

export function anomalyFixtureSql(): string[] {
  const rows = (name: string, values: (number | null)[]) =>
    values.map((value, i) => `('${new Date(FIXTURE_START_MS + i * STEP_MS).toISOString()}', '${name}', ${value === null ? 'NULL' : value})`).join(',\n');
  return [
    'CREATE SCHEMA sensors',
    'CREATE TABLE sensors.readings (ts timestamptz NOT NULL, series text NOT NULL, value double precision)',
    `INSERT INTO sensors.readings VALUES ${rows('a', seriesA())}`,
    `INSERT INTO sensors.readings VALUES ${rows('b', seriesB())}`,
  ];
}
