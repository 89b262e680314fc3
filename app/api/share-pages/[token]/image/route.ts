import { serveSharedResponse } from '@/lib/server/share-cache';

export const dynamic = 'force-dynamic';

/** GET /f/<token>/opengraph-image arrives here (next.config.ts rewrites it): the preview from the share cache. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  return serveSharedResponse({ request, token: (await params).token, kind: 'image' });
}
