import { getDatabase } from '@/db';
import { errorResponse } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  try {
    const handle = await getDatabase();
    await handle.query('SELECT 1');
    return Response.json({ ok: true, database: handle.kind });
  } catch (error) {
    return errorResponse(error);
  }
}
