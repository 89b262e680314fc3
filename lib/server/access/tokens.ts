import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isCallerRole, type CallerRole } from './roles';

/**
 * API tokens. LOOKAHEAD_API_TOKENS holds only their sha256 (hashed at rest): a comma-separated
 * list of `<role>:<name>:<sha256 hex>`; `npm run token -- <role> <name>` makes a token and prints
 * its entry. A presented token is hashed and compared with every entry in constant time.
 */
export interface ApiTokenEntry {
  role: CallerRole;
  name: string;
  sha256: Buffer;
}

const TOKEN_PREFIX = 'lka_';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function tokenEntry(role: CallerRole, name: string, token: string): string {
  return `${role}:${name}:${hashToken(token).toString('hex')}`;
}

export function parseApiTokens(value: string | undefined): ApiTokenEntry[] {
  if (!value || !value.trim()) return [];
  return value.split(',').map((raw, index) => {
    const entry = raw.trim();
    const [role, name, hex, ...rest] = entry.split(':');
    if (!role || !isCallerRole(role) || !name || !hex || rest.length > 0 || !/^[0-9a-f]{64}$/i.test(hex)) {
      throw new Error(
        `access: LOOKAHEAD_API_TOKENS entry ${index + 1} ("${entry.slice(0, 12)}...") is not <role>:<name>:<sha256 hex>; roles are viewer, editor, admin; make one with npm run token -- <role> <name>`,
      );
    }
    return { role, name, sha256: Buffer.from(hex, 'hex') };
  });
}

/** The entry a presented token belongs to, comparing against every entry so timing says nothing. */
export function matchApiToken(token: string, entries: readonly ApiTokenEntry[]): ApiTokenEntry | null {
  const presented = hashToken(token);
  let found: ApiTokenEntry | null = null;
  for (const entry of entries) {
    if (timingSafeEqual(presented, entry.sha256) && !found) found = entry;
  }
  return found;
}
