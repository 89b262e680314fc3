import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

/**
 * The TimescaleDB STAND-IN for tests (this folder): a fake extension named `timescaledb`, because
 * the real TimescaleDB cannot be installed on this machine. This copies its two files into
 * `$(pg_config --sharedir)/extension` (only when they differ, never over a real TimescaleDB) and
 * asks the server at DATABASE_URL whether it now offers the extension, so that a test can skip
 * with the reason when it cannot run (not root, no pg_config, another server). Where a real
 * TimescaleDB is installed, the same tests run against it instead.
 */

export const STANDIN_VERSION = '0.0.0-standin';
/** Every stand-in file carries this; a control file without it is a real TimescaleDB. */
const STANDIN_MARKER = 'STAND-IN FOR TESTS ONLY';
/** This folder: the extension's files lie next to this module. */
const STANDIN_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const STANDIN_FILES = ['timescaledb.control', `timescaledb--${STANDIN_VERSION}.sql`];

export type StandinInstall = { installed: true; directory: string; copied: string[] } | { installed: false; realTimescale: boolean; reason: string };

export type TimescaleSetup =
  | { available: true; kind: 'stand-in' | 'real'; version: string; label: string }
  | { available: false; reason: string };

function extensionDirectory(): { directory: string } | { reason: string } {
  let sharedir: string;
  try {
    sharedir = execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'pg_config is not on PATH, so the Postgres extension directory is unknown' : `pg_config --sharedir failed: ${(error as Error).message}` };
  }
  const directory = path.join(sharedir, 'extension');
  if (!existsSync(directory)) return { reason: `${directory} (from pg_config --sharedir) does not exist` };
  return { directory };
}

/** Copies the stand-in's files into the extension directory; idempotent, copy only. */
export function installTimescaleStandin(): StandinInstall {
  const found = extensionDirectory();
  if ('reason' in found) return { installed: false, realTimescale: false, reason: found.reason };
  const { directory } = found;
  const control = path.join(directory, 'timescaledb.control');
  if (existsSync(control) && !readFileSync(control, 'utf8').includes(STANDIN_MARKER)) {
    return { installed: false, realTimescale: true, reason: `a real TimescaleDB is installed (${control}); the stand-in is not copied over it` };
  }
  const stale = STANDIN_FILES.filter((name) => {
    const target = path.join(directory, name);
    return !existsSync(target) || !readFileSync(target).equals(readFileSync(path.join(STANDIN_DIRECTORY, name)));
  });
  if (stale.length === 0) return { installed: true, directory, copied: [] };
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    const uid = process.getuid?.();
    return { installed: false, realTimescale: false, reason: `cannot write ${directory} (uid ${uid ?? 'unknown'}; root can, as CI runs), so the TimescaleDB stand-in is not installed` };
  }
  for (const name of stale) copyFileSync(path.join(STANDIN_DIRECTORY, name), path.join(directory, name));
  return { installed: true, directory, copied: stale };
}

/**
 * Installs the stand-in if needed, then checks that the server at `databaseUrl` offers
 * `timescaledb` and that its user may create it (the stand-in is not a trusted extension). A
 * server that cannot be reached is an error, not a reason to skip.
 */
export async function prepareTimescale(databaseUrl: string | undefined): Promise<TimescaleSetup> {
  if (!databaseUrl) return { available: false, reason: 'DATABASE_URL is not set; TimescaleDB-path tests skipped (CI sets it)' };
  const install = installTimescaleStandin();
  if (!install.installed && !install.realTimescale) return { available: false, reason: install.reason };
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [offered] = await sql<{ version: string }[]>`SELECT default_version AS version FROM pg_available_extensions WHERE name = 'timescaledb'`;
    const [role] = await sql<{ superuser: boolean }[]>`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`;
    if (!offered) {
      const where = install.installed ? `the stand-in was copied into ${install.directory}, which is not that server's extension directory` : install.reason;
      return { available: false, reason: `the Postgres at DATABASE_URL offers no timescaledb extension (${where})` };
    }
    const kind = offered.version === STANDIN_VERSION ? 'stand-in' : 'real';
    if (kind === 'stand-in' && !role?.superuser) return { available: false, reason: 'the DATABASE_URL user is not a superuser, and only a superuser may create the TimescaleDB stand-in' };
    const label = kind === 'stand-in' ? `the timescaledb STAND-IN ${offered.version} (the real TimescaleDB cannot be installed on this machine)` : `TimescaleDB ${offered.version}`;
    return { available: true, kind, version: offered.version, label };
  } finally {
    await sql.end();
  }
}
