import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLiveShare, insertShare, insertShareAndPurge, purgeExpiredShares } from '@/db';
import { reportFromBacktest } from '@/lib/client/report';
import { parseForecastConfig } from '@/lib/config';
import { LookaheadError } from '@/lib/core/errors';
import { parseForecastReport, type ForecastReport } from '@/lib/report';
import { publishShare, readShare, removeShare, SHARE_NOT_FOUND_MESSAGE } from '@/lib/server/shares';
import { generateShareToken, hashDeleteSecret } from '@/lib/share';
import { compareInNode } from '../support/comparison';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases';

const DAY = 24 * 60 * 60 * 1000;
let report: ForecastReport;

beforeAll(async () => {
  const settings = { horizon: 12, context: 48, quantileLevels: [0.1, 0.5, 0.9], windows: 2, step: 12 };
  const result = await compareInNode({ file: 'data/samples/AirPassengers.csv', column: '#Passengers', settings, modelIds: ['seasonal-naive', 'auto-ets'] });
  const config = parseForecastConfig({ version: 1, source: 'air-passengers', target: '#Passengers', model: 'auto-ets', context: 48, horizon: 12, quantileLevels: [0.1, 0.5, 0.9], backtest: { windows: 2, step: 12 } });
  report = reportFromBacktest({ config, dataName: 'AirPassengers', result });
});

async function notFound(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(LookaheadError);
  expect((error as LookaheadError).status).toBe(404);
  return (error as Error).message;
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`shared forecast links on ${backend.name}${backend.available ? '' : ` (${backend.reason})`}`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(backend.name);
    }, 120_000);

    afterAll(async () => {
      await database?.drop();
    });

    it('stores the snapshot and reads back the same document, byte for byte', async () => {
      const now = new Date();
      const published = await publishShare({ handle: database.handle, body: { snapshot: report }, now });
      expect(published.path).toBe(`/f/${published.token}`);
      expect(published.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(published.deleteSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // No expiresInDays: the default expiry (LOOKAHEAD_SHARE_DEFAULT_DAYS, 90 days).
      expect(published.expiresAt).toBe(new Date(now.getTime() + 90 * 86_400_000).toISOString());
      const forever = await publishShare({ handle: database.handle, body: { snapshot: report, expiresInDays: null } });
      expect(forever.expiresAt).toBeNull();
      const shared = await readShare({ handle: database.handle, token: published.token });
      expect(shared.report).toEqual(report);
      expect(shared.snapshot).toBe(JSON.stringify(report));
      expect(published.bytes).toBe(Buffer.byteLength(shared.snapshot));
    });

    it('carries the quality report, and a snapshot stored before reports had one still reads back and parses', async () => {
      expect(report.quality).toMatchObject({ rowCount: 72, frequency: '1M', gaps: { count: 0 } });
      const { quality: _quality, ...old } = report;
      const snapshot = JSON.stringify(old);
      const token = generateShareToken();
      // Stored as the share route stored it before quality existed: straight to the table.
      await insertShare({
        handle: database.handle,
        share: { token, deleteSecretSha256: await hashDeleteSecret('old'), snapshot, bytes: Buffer.byteLength(snapshot), title: old.title, createdAt: new Date(), expiresAt: null },
      });
      const shared = await readShare({ handle: database.handle, token });
      expect(shared.snapshot).toBe(snapshot);
      expect('quality' in shared.report).toBe(false);
      expect(parseForecastReport(shared.report)).toEqual(old);
    });

    it('keeps only the hash of the delete secret', async () => {
      const published = await publishShare({ handle: database.handle, body: { snapshot: report } });
      const rows = await database.handle.query<{ delete_secret_sha256: string; snapshot: string }>(
        'SELECT delete_secret_sha256, snapshot FROM forecast_shares WHERE token = $1',
        [published.token],
      );
      expect(rows[0]!.delete_secret_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows[0])).not.toContain(published.deleteSecret);
    });

    it('drops unknown keys, and refuses an invalid snapshot naming the field', async () => {
      const message = await publishShare({ handle: database.handle, body: { snapshot: { ...report, horizon: 3 } } }).catch((error: Error) => error.message);
      expect(message).toBe('share: not a valid forecast snapshot: document: Unrecognized key: "horizon"');
      const envelope = await publishShare({ handle: database.handle, body: { snapshot: report, expiresInDays: 0 } }).catch((error: Error) => error.message);
      expect(envelope).toMatch(/^share: expiresInDays: /);
    });

    it('refuses a snapshot over the size cap with a 413 that says how big and what to do', async () => {
      const bytes = Buffer.byteLength(JSON.stringify(report));
      const error = await publishShare({ handle: database.handle, body: { snapshot: report }, maxBytes: 1024 }).catch((failure: LookaheadError) => failure);
      expect(error).toBeInstanceOf(LookaheadError);
      expect((error as LookaheadError).status).toBe(413);
      expect((error as LookaheadError).message).toBe(
        `share: the snapshot is ${(bytes / 1024).toFixed(1)} KiB, over the 1.0 KiB limit for shared forecasts; use a shorter context, fewer backtest windows or fewer models`,
      );
      // Exactly at the cap is fine.
      await expect(publishShare({ handle: database.handle, body: { snapshot: report }, maxBytes: bytes })).resolves.toMatchObject({ bytes });
    });

    it('expires: readable until its expiry, then the same 404 as a token that never existed', async () => {
      const now = new Date('2030-01-01T00:00:00Z');
      const published = await publishShare({ handle: database.handle, body: { snapshot: report, expiresInDays: 7 }, now });
      expect(published.expiresAt).toBe('2030-01-08T00:00:00.000Z');
      await expect(readShare({ handle: database.handle, token: published.token, now: new Date(now.getTime() + 7 * DAY - 1) })).resolves.toMatchObject({
        token: published.token,
      });
      const expired = await notFound(readShare({ handle: database.handle, token: published.token, now: new Date(now.getTime() + 7 * DAY) }));
      expect(expired).toBe(`share: ${SHARE_NOT_FOUND_MESSAGE}`);
      // An expired link cannot be deleted either (same 404), and the purge removes it.
      await notFound(removeShare({ handle: database.handle, token: published.token, deleteSecret: published.deleteSecret, now: new Date(now.getTime() + 8 * DAY) }));
      expect(await purgeExpiredShares({ handle: database.handle, now: new Date(now.getTime() + 8 * DAY) })).toBeGreaterThanOrEqual(1);
      expect(await findLiveShare({ handle: database.handle, token: published.token, now })).toBeNull();
    });

    it('deletes with the right secret only; a wrong secret is the same 404', async () => {
      const published = await publishShare({ handle: database.handle, body: { snapshot: report } });
      const wrong = await notFound(removeShare({ handle: database.handle, token: published.token, deleteSecret: 'not-the-secret' }));
      expect(wrong).toBe(`share: ${SHARE_NOT_FOUND_MESSAGE}`);
      await expect(readShare({ handle: database.handle, token: published.token })).resolves.toBeTruthy();
      await removeShare({ handle: database.handle, token: published.token, deleteSecret: published.deleteSecret });
      await notFound(readShare({ handle: database.handle, token: published.token }));
      // Deleting twice is the same 404 too.
      await notFound(removeShare({ handle: database.handle, token: published.token, deleteSecret: published.deleteSecret }));
    });

    it('insert and purge are one transaction: a failed insert leaves expired links unpurged', async () => {
      const snapshot = JSON.stringify(report);
      const base = { deleteSecretSha256: await hashDeleteSecret('s'), snapshot, bytes: Buffer.byteLength(snapshot), title: report.title, createdAt: new Date('2032-01-01T00:00:00Z') };
      const expired = generateShareToken();
      await insertShare({ handle: database.handle, share: { ...base, token: expired, expiresAt: new Date('2032-01-02T00:00:00Z') } });
      const taken = generateShareToken();
      await insertShare({ handle: database.handle, share: { ...base, token: taken, expiresAt: null } });
      const now = new Date('2032-02-01T00:00:00Z');
      // The purge runs first, then the duplicate token makes the insert fail: the purge must roll back with it.
      await expect(insertShareAndPurge({ handle: database.handle, share: { ...base, token: taken, expiresAt: null }, now })).rejects.toThrow();
      const count = async () => (await database.handle.query<{ n: number }>('SELECT count(*)::int AS n FROM forecast_shares WHERE token = $1', [expired]))[0]!.n;
      expect(await count()).toBe(1);
      await insertShareAndPurge({ handle: database.handle, share: { ...base, token: generateShareToken(), expiresAt: null }, now });
      expect(await count()).toBe(0);
    });

    it('unknown, malformed, expired and deleted tokens all give one identical error', async () => {
      const start = new Date('2031-01-01T00:00:00Z');
      const expiring = await publishShare({ handle: database.handle, body: { snapshot: report, expiresInDays: 1 }, now: start });
      const deleted = await publishShare({ handle: database.handle, body: { snapshot: report } });
      await removeShare({ handle: database.handle, token: deleted.token, deleteSecret: deleted.deleteSecret });
      const later = new Date(start.getTime() + 2 * DAY);
      const failure = (token: string) =>
        readShare({ handle: database.handle, token, now: later }).then(
          () => new LookaheadError('test', 'internal', `${token} was found`),
          (error: LookaheadError) => error,
        );
      const errors = await Promise.all([failure('A'.repeat(24)), failure('not a token'), failure(expiring.token), failure(deleted.token)]);
      const shapes = errors.map((error) => JSON.stringify({ name: error.name, code: error.code, status: error.status, message: error.message, details: error.details }));
      expect(new Set(shapes).size).toBe(1);
      expect(errors[0]!.status).toBe(404);
    });
  });
}
