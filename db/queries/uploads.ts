import 'server-only';
import { desc, eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../client';
import { uploadedSources, type NewUploadedSource, type UploadedSource } from '../schema-data-plane';

export async function listUploadedSources({ handle }: { handle: DatabaseHandle }): Promise<UploadedSource[]> {
  return handle.db.select().from(uploadedSources).orderBy(desc(uploadedSources.createdAt));
}

export async function getUploadedSource({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<UploadedSource | null> {
  const rows = await handle.db.select().from(uploadedSources).where(eq(uploadedSources.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Inserts an upload; an existing id (same content) is kept as it is. Returns whether it was new. */
export async function saveUploadedSource({ handle, upload }: { handle: DatabaseHandle; upload: NewUploadedSource }): Promise<boolean> {
  const inserted = await handle.db.insert(uploadedSources).values(upload).onConflictDoNothing({ target: uploadedSources.id }).returning({ id: uploadedSources.id });
  return inserted.length > 0;
}

/** Deletes an upload's row; returns whether there was one. */
export async function deleteUploadedSource({ handle, id }: { handle: DatabaseHandle; id: string }): Promise<boolean> {
  const deleted = await handle.db.delete(uploadedSources).where(eq(uploadedSources.id, id)).returning({ id: uploadedSources.id });
  return deleted.length > 0;
}
