CREATE TABLE "forecast_shares" (
	"token" text PRIMARY KEY NOT NULL,
	"delete_secret_sha256" text NOT NULL,
	"snapshot" text NOT NULL,
	"bytes" integer NOT NULL,
	"title" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "forecast_shares_expires_at_idx" ON "forecast_shares" USING btree ("expires_at");