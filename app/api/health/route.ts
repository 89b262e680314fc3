import { getDatabase } from '@/db';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const handle = await getDatabase();
  await handle.query('SELECT 1');
  return Response.json({ ok: true, database: handle.kind });
}
