import { describe, it, expect } from 'vitest';
import { readTimestamp, timestampPattern, type TimestampReading } from '@/lib/data/timestamps';

function ok(text: string, options?: { epoch?: boolean }): { ms: number; format: string } {
  const reading = readTimestamp(text, options);
  if (!reading.ok) throw new Error(`expected ${text} to read, got: ${reading.reason}`);
  return { ms: reading.ms, format: reading.format };
}

function failure(text: string): Extract<TimestampReading, { ok: false }> {
  const reading = readTimestamp(text);
  if (reading.ok) throw new Error(`expected ${text} to fail`);
  return reading;
}

describe('readTimestamp: formats', () => {
  it('YYYY-MM is the first of the month', () => {
    expect(ok('1949-01')).toEqual({ ms: Date.UTC(1949, 0, 1), format: 'year-month' });
  });

  it('YYYY-MM-DD', () => {
    expect(ok('2016-07-01')).toEqual({ ms: Date.UTC(2016, 6, 1), format: 'date' });
  });

  it('YYYY-MM-DD HH:MM[:SS[.fff]] is naive, read as UTC', () => {
    expect(ok('2016-07-01 02:00:00')).toEqual({ ms: Date.UTC(2016, 6, 1, 2), format: 'datetime' });
    expect(ok('2016-07-01 02:30')).toEqual({ ms: Date.UTC(2016, 6, 1, 2, 30), format: 'datetime' });
    expect(ok('2016-07-01 02:30:15.25')).toEqual({ ms: Date.UTC(2016, 6, 1, 2, 30, 15, 250), format: 'datetime' });
  });

  it('ISO 8601 with T, Z, offsets, fractional seconds', () => {
    expect(ok('2016-07-01T02:00:00')).toEqual({ ms: Date.UTC(2016, 6, 1, 2), format: 'iso' });
    expect(ok('2016-07-01T02:00:00Z')).toEqual({ ms: Date.UTC(2016, 6, 1, 2), format: 'iso' });
    expect(ok('2016-07-01T02:00:00.123Z').ms).toBe(Date.UTC(2016, 6, 1, 2, 0, 0, 123));
    expect(ok('2016-07-01T02:00:00+02:00').ms).toBe(Date.UTC(2016, 6, 1, 0));
    expect(ok('2016-07-01T02:00:00-0530').ms).toBe(Date.UTC(2016, 6, 1, 7, 30));
    expect(ok('2016-07-01T02:00+01').ms).toBe(Date.UTC(2016, 6, 1, 1));
    expect(ok('2016-07-01 02:00:00+00:00')).toEqual({ ms: Date.UTC(2016, 6, 1, 2), format: 'iso' });
    expect(ok('2016-07-01 02:00:00 UTC')).toEqual({ ms: Date.UTC(2016, 6, 1, 2), format: 'iso' });
  });

  it('agrees with Date.parse on ISO strings', () => {
    for (const text of ['2016-07-01T02:03:04Z', '1999-12-31T23:59:59.999+09:00', '2024-02-29T12:00:00-08:00']) {
      expect(ok(text).ms).toBe(Date.parse(text));
    }
  });

  it('dates before 1970 and years below 100', () => {
    expect(ok('1900-03-01').ms).toBe(Date.UTC(1900, 2, 1));
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1);
    expect(ok('0050-01-01').ms).toBe(year50.getTime());
  });

  it('epoch seconds and milliseconds only when asked', () => {
    expect(ok('1467331200', { epoch: true })).toEqual({ ms: Date.UTC(2016, 6, 1), format: 'epoch-seconds' });
    expect(ok('1467331200000', { epoch: true })).toEqual({ ms: Date.UTC(2016, 6, 1), format: 'epoch-millis' });
    expect(readTimestamp('1467331200').ok).toBe(false);
    // Outside both plausible ranges (before 1973, or between the seconds and millis ranges).
    expect(readTimestamp('12345678', { epoch: true }).ok).toBe(false);
    expect(readTimestamp('14673312000', { epoch: true }).ok).toBe(false);
    expect(readTimestamp('1467331200.5', { epoch: true }).ok).toBe(false);
  });
});

describe('readTimestamp: strict validation', () => {
  it('February 30th', () => {
    expect(failure('2021-02-30')).toEqual({ ok: false, format: 'date', invalid: 'date', reason: 'February 2021 has 28 days' });
  });

  it('leap years: 2024-02-29 and 2000-02-29 are valid, 1900-02-29 is not', () => {
    expect(ok('2024-02-29').ms).toBe(Date.UTC(2024, 1, 29));
    expect(ok('2000-02-29').ms).toBe(Date.UTC(2000, 1, 29));
    expect(failure('1900-02-29').reason).toBe('February 1900 has 28 days');
  });

  it('April 31st, day 00, month 13, month 00', () => {
    expect(failure('2021-04-31').reason).toBe('April 2021 has 30 days');
    expect(failure('2021-04-00').reason).toBe('there is no day 00');
    expect(failure('2021-13-01').reason).toBe('there is no month 13');
    expect(failure('2021-00')).toEqual({ ok: false, format: 'year-month', invalid: 'date', reason: 'there is no month 00' });
  });

  it('hour 25 and hour 24', () => {
    expect(failure('2021-01-01 25:00:00')).toEqual({ ok: false, format: 'datetime', invalid: 'time', reason: 'hours run from 00 to 23' });
    expect(failure('2021-01-01T24:00:00Z').reason).toBe('hours run from 00 to 23');
  });

  it('minute 60 and second 60', () => {
    expect(failure('2021-01-01 12:60').reason).toBe('minutes run from 00 to 59');
    expect(failure('2021-01-01 12:00:60').reason).toBe('seconds run from 00 to 59');
  });

  it('an invalid date inside a date-time names the date', () => {
    expect(failure('2021-02-30 12:00:00')).toMatchObject({ format: 'datetime', invalid: 'date' });
  });

  it('bad offsets and trailing text', () => {
    expect(failure('2021-01-01T00:00:00+25:00').reason).toBe('the offset +25:00 is out of range');
    expect(failure('2021-01-01 00:00:00 junk').reason).toBe('unexpected " junk" after the time');
    expect(failure('2021-01-01x').reason).toBe('unexpected "x" after the date');
    expect(failure('2021-01-01 7:00').reason).toBe('expected HH:MM after the date, found "7:00"');
  });

  it('text that is no timestamp at all has no format', () => {
    for (const text of ['', 'hello', '2021', '20210101', '2021-1-1', '01/07/2016', '12.5']) {
      expect(failure(text).format).toBeNull();
    }
  });
});

describe('timestampPattern', () => {
  it('says how each format is written', () => {
    expect(timestampPattern('year-month')).toBe('YYYY-MM');
    expect(timestampPattern('date')).toBe('YYYY-MM-DD');
    expect(timestampPattern('datetime')).toBe('YYYY-MM-DD HH:MM:SS');
    expect(timestampPattern('iso')).toBe('ISO 8601 such as 2016-07-01T02:00:00Z');
    expect(timestampPattern('epoch-seconds')).toBe('whole seconds since 1970-01-01 UTC (100000000 to 9999999999)');
  });
});
