/**
 * Next.js calls register() once when the server starts.
 * - The share front (lib/server/share-cache/front.ts) is made reachable for scripts/server.mjs,
 *   which answers cached share pages with it before Next routes them.
 * - On the embedded PGlite default the job queue and its worker live inside the server (the only
 *   process that may open the database), so start them now: queued jobs resume after a restart
 *   without waiting for a request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { registerShareFront } = await import('@/lib/server/share-cache/front');
  registerShareFront();
  if (process.env.DATABASE_URL) return;
  const { getJobSystem } = await import('@/lib/server/jobs/system');
  getJobSystem().catch((error: unknown) => console.error(`jobs: the in-process worker did not start: ${(error as Error).message}`));
}
