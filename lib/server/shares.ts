import 'server-only';
import { z } from 'zod';
import { deleteShare, findLiveShare, findLiveShareExpiry, insertShareAndPurge, type DatabaseHandle } from '@/db';
import { LookaheadError } from '@/lib/core/errors';
import { parseForecastReport, type ForecastReport } from '@/lib/report/schema';
import {
  DEFAULT_SHARE_MAX_BYTES,
  MAX_SHARE_EXPIRY_DAYS,
  generateDeleteSecret,
  generateShareToken,
  hashDeleteSecret,
  isShareToken,
  snapshotTooLarge,
} from '@/lib/share';
import { fromZodError } from './http';

/**
 * Shared forecast links: publish an immutable snapshot, read it back, delete it with its secret.
 * Unknown, expired, deleted, malformed and wrong-secret all end in the same not-found error, so
 * nobody can learn whether a token ever existed.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export const SHARE_NOT_FOUND_MESSAGE = 'no forecast is shared at this link; links can expire or be deleted by their creator';

export function shareNotFound(): LookaheadError {
  return new LookaheadError('share', 'not_found', SHARE_NOT_FOUND_MESSAGE);
}

/** The snapshot size cap: LOOKAHEAD_SHARE_MAX_BYTES when set to a positive integer, else 2 MiB. */
export function shareMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.LOOKAHEAD_SHARE_MAX_BYTES);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_SHARE_MAX_BYTES;
}

/** Room for the request envelope around the snapshot ({"snapshot": ..., "expiresInDays": ...}). */
export const SHARE_ENVELOPE_BYTES = 4096;

const publishRequestSchema = z.strictObject({
  snapshot: z.unknown(),
  /** Days until the link stops working; null: never; absent: LOOKAHEAD_SHARE_DEFAULT_DAYS (default 90). */
  expiresInDays: z.number().positive().max(MAX_SHARE_EXPIRY_DAYS).nullable().optional(),
});

/** Days a link lives when the request does not say (LOOKAHEAD_SHARE_DEFAULT_DAYS; 0 or "never": no expiry). */
export function shareDefaultExpiryDays(env: Record<string, string | undefined> = process.env): number | null {
  const raw = env.LOOKAHEAD_SHARE_DEFAULT_DAYS?.trim();
  if (!raw) return 90;
  if (raw === '0' || raw.toLowerCase() === 'never') return null;
  const days = Number(raw);
  if (!(days > 0 && days <= MAX_SHARE_EXPIRY_DAYS)) {
    throw new LookaheadError('share', 'internal', `LOOKAHEAD_SHARE_DEFAULT_DAYS is "${raw}"; use a number of days from 1 to ${MAX_SHARE_EXPIRY_DAYS}, or "never"`);
  }
  return days;
}

export interface PublishedShare {
  token: string;
  /** Path of the share page, `/f/<token>`. */
  path: string;
  /** Shown once: whoever holds it can delete the link. */
  deleteSecret: string;
  createdAt: string;
  expiresAt: string | null;
  bytes: number;
}

export async function publishShare({
  handle,
  body,
  now = new Date(),
  maxBytes = shareMaxBytes(),
}: {
  handle: DatabaseHandle;
  body: unknown;
  now?: Date;
  maxBytes?: number;
}): Promise<PublishedShare> {
  const request = publishRequestSchema.safeParse(body);
  if (!request.success) throw fromZodError('share', request.error);
  const report = parseForecastReport(request.data.snapshot, 'share');
  // What is stored is the validated document (unknown keys gone), measured as stored.
  const snapshot = JSON.stringify(report);
  const bytes = Buffer.byteLength(snapshot, 'utf8');
  if (bytes > maxBytes) throw snapshotTooLarge(bytes, maxBytes);
  const token = generateShareToken();
  const deleteSecret = generateDeleteSecret();
  const days = request.data.expiresInDays === undefined ? shareDefaultExpiryDays() : request.data.expiresInDays;
  const expiresAt = days === null ? null : new Date(now.getTime() + days * DAY_MS);
  // 144 random bits: a token collision is not a case worth a retry loop (the primary key would refuse it).
  // Expired rows are removed lazily, on the write path (rare next to reads), in the insert's transaction.
  const row = await insertShareAndPurge({
    handle,
    share: { token, deleteSecretSha256: await hashDeleteSecret(deleteSecret), snapshot, bytes, title: report.title, createdAt: now, expiresAt },
    now,
  });
  return {
    token,
    path: `/f/${token}`,
    deleteSecret,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    bytes,
  };
}

export interface SharedForecast {
  token: string;
  report: ForecastReport;
  /** The stored JSON text, byte for byte. */
  snapshot: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export async function readShare({ handle, token, now = new Date() }: { handle: DatabaseHandle; token: string; now?: Date }): Promise<SharedForecast> {
  if (!isShareToken(token)) throw shareNotFound();
  const row = await findLiveShare({ handle, token, now });
  if (!row) throw shareNotFound();
  // Validated when it was stored; parsing is all that is left.
  return { token, report: JSON.parse(row.snapshot) as ForecastReport, snapshot: row.snapshot, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

/** Whether `token` names a live share, and its expiry; null for unknown, malformed, expired and deleted alike. */
export async function readShareLiveness({ handle, token, now = new Date() }: { handle: DatabaseHandle; token: string; now?: Date }): Promise<{ expiresAt: Date | null } | null> {
  if (!isShareToken(token)) return null;
  return findLiveShareExpiry({ handle, token, now });
}

export async function removeShare({
  handle,
  token,
  deleteSecret,
  now = new Date(),
}: {
  handle: DatabaseHandle;
  token: string;
  deleteSecret: string;
  now?: Date;
}): Promise<void> {
  if (!isShareToken(token) || deleteSecret.length === 0 || deleteSecret.length > 200) throw shareNotFound();
  const deleted = await deleteShare({ handle, token, deleteSecretSha256: await hashDeleteSecret(deleteSecret), now });
  if (!deleted) throw shareNotFound();
}
