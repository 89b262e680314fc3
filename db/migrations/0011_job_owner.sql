-- Who submitted a job (the access principal: "token:alice", "session:bob", "local:local"), so the
-- API can cap each caller's queued and running jobs (LOOKAHEAD_JOB_MAX_ACTIVE_PER_CALLER).
ALTER TABLE "jobs" ADD COLUMN "submitted_by" text;--> statement-breakpoint
CREATE INDEX "jobs_submitted_by_state_idx" ON "jobs" USING btree ("submitted_by","state");
