import 'server-only';
import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DatabaseHandle } from '../client';
import { forecastShares, type ForecastShare, type NewForecastShare } from '../schema-share';

/** A share as it is read back: everything but the delete secret's hash. */
export type LiveShare = Omit<ForecastShare, 'deleteSecretSha256'>;

const live = (now: Date) => or(isNull(forecastShares.expiresAt), gt(forecastShares.expiresAt, now));

export async function insertShare({ handle, share }: { handle: DatabaseHandle; share: NewForecastShare }): Promise<LiveShare> {
  const [row] = await handle.db.insert(forecastShares).values(share).returning();
  const { deleteSecretSha256: _secret, ...rest } = row!;
  return rest;
}

/** Inserts a share and removes those expired at `now`, in one transaction: both happen or neither. */
export async function insertShareAndPurge({ handle, share, now }: { handle: DatabaseHandle; share: NewForecastShare; now: Date }): Promise<LiveShare> {
  return handle.db.transaction(async (tx) => {
    await tx.delete(forecastShares).where(lte(forecastShares.expiresAt, now));
    const [row] = await tx.insert(forecastShares).values(share).returning();
    const { deleteSecretSha256: _secret, ...rest } = row!;
    return rest;
  });
}

/** The share if it exists and has not expired at `now`; null otherwise (the caller cannot tell which). */
export async function findLiveShare({ handle, token, now = new Date() }: { handle: DatabaseHandle; token: string; now?: Date }): Promise<LiveShare | null> {
  const rows = await handle.db
    .select({
      token: forecastShares.token,
      snapshot: forecastShares.snapshot,
      bytes: forecastShares.bytes,
      title: forecastShares.title,
      createdAt: forecastShares.createdAt,
      expiresAt: forecastShares.expiresAt,
    })
    .from(forecastShares)
    .where(and(eq(forecastShares.token, token), live(now)))
    .limit(1);
  return rows[0] ?? null;
}

/** Only whether a share is live at `now`, and until when: the share cache's cheap liveness check. */
export async function findLiveShareExpiry({
  handle,
  token,
  now = new Date(),
}: {
  handle: DatabaseHandle;
  token: string;
  now?: Date;
}): Promise<{ expiresAt: Date | null } | null> {
  const rows = await handle.db
    .select({ expiresAt: forecastShares.expiresAt })
    .from(forecastShares)
    .where(and(eq(forecastShares.token, token), live(now)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Deletes a live share whose delete secret hashes to `deleteSecretSha256`. False when there is
 * no such live share or the secret is wrong: both answer the same.
 */
export async function deleteShare({
  handle,
  token,
  deleteSecretSha256,
  now = new Date(),
}: {
  handle: DatabaseHandle;
  token: string;
  deleteSecretSha256: string;
  now?: Date;
}): Promise<boolean> {
  const rows = await handle.db
    .delete(forecastShares)
    .where(and(eq(forecastShares.token, token), eq(forecastShares.deleteSecretSha256, deleteSecretSha256), live(now)))
    .returning({ token: forecastShares.token });
  return rows.length > 0;
}

/** Removes shares that expired at or before `now`; returns how many. */
export async function purgeExpiredShares({ handle, now = new Date() }: { handle: DatabaseHandle; now?: Date }): Promise<number> {
  const rows = await handle.db.delete(forecastShares).where(lte(forecastShares.expiresAt, now)).returning({ token: forecastShares.token });
  return rows.length;
}
