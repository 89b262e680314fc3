import 'server-only';
import type { WriteSession } from './sql-connection';

/**
 * The two ingest bookkeeping tables, for a target database other than the app's (the app's get
 * them from the migration). Written as drizzle-kit generates them from db/schema-data-plane.ts;
 * tests/integration/data-plane-ingest.test.ts checks both paths produce the same columns.
 */
const INGEST_TABLES_DDL = [
  `CREATE TABLE IF NOT EXISTS "lookahead_ingest_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"event" text NOT NULL,
	"target_table" text,
	"path" text,
	"sha256" text,
	"row_count" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
)`,
  `CREATE TABLE IF NOT EXISTS "lookahead_ingested_files" (
	"target_table" text NOT NULL,
	"sha256" text NOT NULL,
	"path" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"row_count" bigint,
	"status" text NOT NULL,
	"error" text,
	"run_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lookahead_ingested_files_target_table_sha256_pk" PRIMARY KEY("target_table","sha256")
)`,
  `CREATE INDEX IF NOT EXISTS "lookahead_ingest_audit_run_idx" ON "lookahead_ingest_audit" USING btree ("run_id")`,
];

export async function ensureIngestTables(session: WriteSession): Promise<void> {
  // Two ingest runs starting at once must not race on CREATE TABLE.
  await session.query(`SELECT pg_advisory_xact_lock(hashtext('lookahead_ingest_tables'))`);
  for (const statement of INGEST_TABLES_DDL) await session.query(statement);
}
