import { isCallerRole } from '../lib/server/access/roles';
import { hashPassword, passwordEntry } from '../lib/server/access/passwords';

/**
 * `npm run password -- <viewer|editor|admin> <name>`: reads a password on stdin (one line) and
 * prints the LOOKAHEAD_USERS entry holding its scrypt hash (the password itself is never stored).
 */
const [role, name] = process.argv.slice(2);
if (!role || !isCallerRole(role) || !name || !/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
  console.error('password: usage: echo "<password>" | npm run password -- <viewer|editor|admin> <name> (name: letters, digits, _ . @ -, up to 64)');
  process.exit(1);
}
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if (password.length < 12 || password.length > 1024) {
  console.error('password: give a password of 12 to 1024 characters on stdin');
  process.exit(1);
}
console.log(`LOOKAHEAD_USERS entry (comma-separate several): ${passwordEntry(role, name, await hashPassword(password))}`);
