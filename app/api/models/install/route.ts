import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { errorResponse, fromZodError } from '@/lib/server/http';
import { listServerInstalls, startServerInstall } from '@/lib/server/models/install-jobs';

export const dynamic = 'force-dynamic';

const InstallRequest = z.object({
  repo: z.string().min(3).max(300),
  dtype: z.enum(['fp32', 'fp16']).default('fp32'),
});

/**
 * POST /api/models/install {"repo": "amazon/chronos-bolt-small[@revision]", "dtype": "fp32"|"fp16"}:
 * pulls and converts the checkpoint on the server in the background (as npm run models:pull);
 * answers 202 with the job to poll at GET /api/models/install/<id>. No access control yet: every
 * visitor may install (the access-control work makes it admin-only).
 */
export async function POST(request: Request): Promise<Response> {
  try {
    let body: unknown;
    try {
      body = await request.json();
    } catch (error) {
      throw new LookaheadError('models', 'bad_input', 'the body must be JSON like {"repo": "amazon/chronos-bolt-small"}', { cause: error });
    }
    const parsed = InstallRequest.safeParse(body);
    if (!parsed.success) throw fromZodError('models', parsed.error);
    const job = startServerInstall({ reference: parsed.data.repo, dtype: parsed.data.dtype });
    return Response.json({ job }, { status: 202, headers: { location: `/api/models/install/${job.id}` } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET /api/models/install: recent server installs, newest first. */
export async function GET(): Promise<Response> {
  return Response.json({ jobs: listServerInstalls() });
}
