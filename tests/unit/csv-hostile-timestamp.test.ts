import { describe, expect, it } from 'vitest';
import { parseCsv } from '@/lib/data/csv';
import { readSeriesCsv } from '@/lib/data/series-table';

/** A timestamp of the right shape that names no representable time (400 fraction digits) is a named error, never a NaN row. */
describe('csv: an unrepresentable timestamp', () => {
  const long = `2024-01-01T00:00:00.${'1'.repeat(400)}Z`;
  const text = `date,value\n${long},1\n2024-01-02T00:00:00Z,2\n`;

  it('parseCsv names the row and column', () => {
    expect(() => parseCsv(text, { name: 'long.csv' })).toThrow(/^csv: .*row 2, column "date": .*not a time that can be represented/);
  });

  it('the upload reader (readSeriesCsv) refuses it the same way', () => {
    expect(() => readSeriesCsv(text, { name: 'long.csv' })).toThrow(/^csv: .*column "date"/);
  });
});
