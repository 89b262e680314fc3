/**
 * Next.js calls register() once when the server starts. On the embedded PGlite default the job
 * queue and its worker live inside the server (the only process that may open the database), so
 * start them now: queued jobs resume after a restart without waiting for a request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.DATABASE_URL) return;
  const { getJobSystem } = await import('@/lib/server/jobs/system');
  getJobSystem().catch((error: unknown) => console.error(`jobs: the in-process worker did not start: ${(error as Error).message}`));
}
