import 'server-only';
import { LookaheadError } from '@/lib/core/errors';
import { getJob, type JobRow } from '@/db';
import type { JobSystem } from './system';

/** A job the route names, or the 404 every unknown id gets. */
export async function requireJob(system: JobSystem, id: string): Promise<JobRow> {
  const job = /^[0-9a-f-]{36}$/.test(id) ? await getJob({ handle: system.handle, id }) : null;
  if (!job) throw new LookaheadError('jobs', 'not_found', `no job "${id.slice(0, 80)}"; GET /api/jobs lists them`);
  return job;
}
