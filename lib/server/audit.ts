import 'server-only';
import { insertAuditRecord, type DatabaseHandle } from '@/db';
import { principalFromHeaders, type Principal } from '@/lib/server/access';

/**
 * Records a write in audit_log: who (the caller proxy.ts identified), what, when. A failure to
 * record is logged and does not undo the write (the write already happened; the log says so).
 */
export async function recordAudit(
  handle: DatabaseHandle,
  { actor, action, target, details }: { actor: Principal | Headers; action: string; target: string; details?: Record<string, unknown> },
): Promise<void> {
  const principal = actor instanceof Headers ? principalFromHeaders(actor) : actor;
  try {
    await insertAuditRecord({ handle, record: { actor: principal.name, role: principal.role, via: principal.via, action, target, details } });
  } catch (error) {
    console.error(new Error(`audit: could not record ${action} on ${target} by ${principal.name}`, { cause: error }));
  }
}
