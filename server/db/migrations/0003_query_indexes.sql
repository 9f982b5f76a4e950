-- hand-edited: pg_trgm for the substring searches; year filled from the campaign before it becomes NOT NULL
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "year" integer;--> statement-breakpoint
UPDATE "applications" a SET "year" = c."year" FROM "campaigns" c WHERE c."id" = a."campaign_id";--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "year" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "applications_year_seq_idx" ON "applications" USING btree ("year","seq") WHERE deleted_at is null;--> statement-breakpoint
CREATE INDEX "applications_visible_idx" ON "applications" USING btree ("year","status") WHERE deleted_at is null and status <> 'applicant';--> statement-breakpoint
CREATE INDEX "applications_work_unit_trgm_idx" ON "applications" USING gin ("work_unit" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "applications_name_trgm_idx" ON "applications" USING gin ("applicant_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "applications_number_trgm_idx" ON "applications" USING gin ("number" gin_trgm_ops);