import { isCallerRole } from '../lib/server/access/roles';
import { newApiToken, tokenEntry } from '../lib/server/access/tokens';

/**
 * `npm run token -- <viewer|editor|admin> <name>`: makes an API token. Prints the token once (give
 * it to its holder) and the entry to append to LOOKAHEAD_API_TOKENS (only its sha256 is stored).
 */
const [role, name] = process.argv.slice(2);
if (!role || !isCallerRole(role) || !name || !/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
  console.error('token: usage: npm run token -- <viewer|editor|admin> <name> (name: letters, digits, _ . @ -, up to 64)');
  process.exit(1);
}
const token = newApiToken();
console.log(`token (give to ${name}; shown once): ${token}`);
console.log(`LOOKAHEAD_API_TOKENS entry (comma-separate several): ${tokenEntry(role, name, token)}`);
