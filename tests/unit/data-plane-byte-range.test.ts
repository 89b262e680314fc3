import { describe, expect, it } from 'vitest';
import { parseByteRange } from '@/lib/server/parquet/byte-range';

/** The Range header cases of RFC 9110 section 14 for a 1000-byte file. */
describe('byte ranges', () => {
  const size = 1000;
  it('no header or an empty range: the whole file', () => {
    expect(parseByteRange(null, size)).toEqual({ kind: 'whole' });
    expect(parseByteRange('bytes=-', size)).toEqual({ kind: 'whole' });
  });

  it('first-last, first- and a last beyond the end (clamped)', () => {
    expect(parseByteRange('bytes=0-499', size)).toEqual({ kind: 'partial', start: 0, end: 499 });
    expect(parseByteRange('bytes=900-', size)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseByteRange('bytes=990-5000', size)).toEqual({ kind: 'partial', start: 990, end: 999 });
  });

  it('suffix ranges: the last N bytes, all of a shorter file, and -0 unsatisfiable', () => {
    expect(parseByteRange('bytes=-8', size)).toEqual({ kind: 'partial', start: 992, end: 999 });
    expect(parseByteRange('bytes=-5000', size)).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(parseByteRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
  });

  it('a start at or past the end is unsatisfiable (416)', () => {
    expect(parseByteRange('bytes=1000-1001', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('what the server does not act on is ignored: other units, several ranges, bad syntax, last < first', () => {
    for (const header of ['items=0-5', 'bytes=0-1,5-6', 'bytes=abc', 'bytes=5-1', 'bytes 0-1']) expect(parseByteRange(header, size)).toEqual({ kind: 'whole' });
  });
});
