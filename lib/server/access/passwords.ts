import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { isCallerRole, type CallerRole } from './roles';

/**
 * Page sign-in by password. LOOKAHEAD_USERS holds only scrypt hashes: a comma-separated list of
 * `<role>:<name>:scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash base64url);
 * `npm run password -- <role> <name>` reads a password and prints its entry. A sign-in costs one
 * scrypt whether or not the name exists, so timing does not tell which names do.
 */
export interface PasswordEntry {
  role: CallerRole;
  name: string;
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

/** scrypt's recommended interactive cost (2^15, 8, 1): about 32 MiB and a tenth of a second. */
const DEFAULT_COST = { N: 32_768, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function passwordEntry(role: CallerRole, name: string, hash: string): string {
  return `${role}:${name}:${hash}`;
}

function entryError(index: number, entry: string): Error {
  return new Error(
    `access: LOOKAHEAD_USERS entry ${index + 1} ("${entry.slice(0, 12)}...") is not <role>:<name>:scrypt$N$r$p$salt$hash; roles are viewer, editor, admin; make one with npm run password -- <role> <name>`,
  );
}

export function parsePasswordEntries(value: string | undefined): PasswordEntry[] {
  if (!value || !value.trim()) return [];
  return value.split(',').map((raw, index) => {
    const entry = raw.trim();
    const [role, name, encoded, ...rest] = entry.split(':');
    if (!role || !isCallerRole(role) || !name || !encoded || rest.length > 0) throw entryError(index, entry);
    const match = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/.exec(encoded);
    if (!match) throw entryError(index, entry);
    const cost = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
    // N must be a power of two above 1; the rest bounded so a bad entry cannot make sign-in a denial of service.
    if (cost.N < 2 || (cost.N & (cost.N - 1)) !== 0 || cost.N > 1_048_576 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) throw entryError(index, entry);
    return { role, name, cost, salt: Buffer.from(match[4]!, 'base64url'), hash: Buffer.from(match[5]!, 'base64url') };
  });
}

const UNKNOWN_SALT = randomBytes(16);

/** The entry `name` signs in as with `password`, or null; one scrypt either way. */
export async function verifyPassword(name: string, password: string, entries: readonly PasswordEntry[]): Promise<PasswordEntry | null> {
  const entry = entries.find((candidate) => candidate.name === name) ?? null;
  const derived = await derive(password, entry?.salt ?? UNKNOWN_SALT, entry?.cost ?? DEFAULT_COST);
  if (!entry || derived.length !== entry.hash.length) return null;
  return timingSafeEqual(derived, entry.hash) ? entry : null;
}
