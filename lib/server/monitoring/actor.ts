import 'server-only';
import { createHash, randomBytes } from 'node:crypto';

/**
 * Who made a request, for the audit log and rate limits, without storing an address: a salted
 * SHA-256 of the client address (x-forwarded-for's first hop, x-real-ip, else "local"). The salt
 * is LOOKAHEAD_AUDIT_SALT or random per process (then the same client is linkable only within
 * one process's lifetime).
 */
const processSalt = randomBytes(16).toString('hex');

export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || headers.get('x-real-ip')?.trim() || 'local';
}

export function clientActor(headers: Headers): string {
  const salt = process.env.LOOKAHEAD_AUDIT_SALT || processSalt;
  return `client:${createHash('sha256').update(`${salt}:${clientAddress(headers)}`).digest('hex').slice(0, 16)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
