import 'server-only';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { DatabaseHandle } from '../client';
import { uploadedSources, type NewUploadedSource } from '../schema-data-plane';
import { uploadLayouts, uploadSeries, type UploadLayout, type UploadSeries } from '../schema-uploads';

/** Rows per INSERT of series: well under Postgres's 65,535 parameters. */
const SERIES_INSERT_BATCH = 1_000;

export type NewUploadLayout = typeof uploadLayouts.$inferInsert;
export type NewUploadSeries = Omit<typeof uploadSeries.$inferInsert, 'uploadId'>;

/**
 * Registers an upload with its layout and series in one transaction: either all of it is stored
 * or none. An id that exists already (the same content) is kept as it is; returns whether it was new.
 */
export async function saveUploadWithSeries({
  handle,
  upload,
  layout,
  series,
}: {
  handle: DatabaseHandle;
  upload: NewUploadedSource;
  layout: Omit<NewUploadLayout, 'uploadId'>;
  series: NewUploadSeries[];
}): Promise<boolean> {
  return handle.db.transaction(async (tx) => {
    const inserted = await tx.insert(uploadedSources).values(upload).onConflictDoNothing({ target: uploadedSources.id }).returning({ id: uploadedSources.id });
    if (inserted.length === 0) return false;
    await tx.insert(uploadLayouts).values({ ...layout, uploadId: upload.id });
    for (let start = 0; start < series.length; start += SERIES_INSERT_BATCH) {
      await tx.insert(uploadSeries).values(series.slice(start, start + SERIES_INSERT_BATCH).map((entry) => ({ ...entry, uploadId: upload.id })));
    }
    return true;
  });
}

export async function getUploadLayout({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<UploadLayout | null> {
  const rows = await handle.db.select().from(uploadLayouts).where(eq(uploadLayouts.uploadId, id)).limit(1);
  return rows[0] ?? null;
}

/** Layouts of many uploads at once (the source list), by upload id. */
export async function getUploadLayouts({ handle, ids }: { handle: DatabaseHandle; ids: string[] }): Promise<Map<string, UploadLayout>> {
  if (ids.length === 0) return new Map();
  const rows = await handle.db.select().from(uploadLayouts).where(inArray(uploadLayouts.uploadId, ids));
  return new Map(rows.map((row) => [row.uploadId, row]));
}

/** The series of an upload in file order, the first `limit` (or those named in `ids`), and how many there are. */
export async function listUploadSeries({ handle, id, ids, limit }: { handle: DatabaseHandle; id: string; ids?: string[]; limit: number }): Promise<{ series: UploadSeries[]; total: number }> {
  const where = ids ? and(eq(uploadSeries.uploadId, id), inArray(uploadSeries.seriesId, ids)) : eq(uploadSeries.uploadId, id);
  const series = await handle.db.select().from(uploadSeries).where(where).orderBy(asc(uploadSeries.position)).limit(limit);
  const [total] = await handle.db.select({ total: count() }).from(uploadSeries).where(where);
  return { series, total: Number(total?.total ?? 0) };
}
