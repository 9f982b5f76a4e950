CREATE TABLE "review_assignments" (
	"campaign_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"group_id" uuid,
	"assigned_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_assignments_application_id_expert_id_pk" PRIMARY KEY("application_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "review_conflicts" (
	"expert_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"declared_by" text NOT NULL,
	"actor_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_conflicts_expert_id_application_id_pk" PRIMARY KEY("expert_id","application_id")
);
--> statement-breakpoint
CREATE TABLE "review_reminders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"dedupe_key" text,
	"sent_by" uuid,
	"experts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "score_sheet_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sheet_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor_id" uuid NOT NULL,
	"actor_role" text NOT NULL,
	"old_value" jsonb,
	"new_value" jsonb,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "score_sheets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"status" text DEFAULT 'saved' NOT NULL,
	"scores" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"gates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"total" numeric(4, 1),
	"comment" text,
	"submitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_conflicts" ADD CONSTRAINT "review_conflicts_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_conflicts" ADD CONSTRAINT "review_conflicts_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_reminders" ADD CONSTRAINT "review_reminders_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheet_changes" ADD CONSTRAINT "score_sheet_changes_sheet_id_score_sheets_id_fk" FOREIGN KEY ("sheet_id") REFERENCES "public"."score_sheets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_sheets" ADD CONSTRAINT "score_sheets_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_assignments_expert_idx" ON "review_assignments" USING btree ("expert_id","campaign_id");--> statement-breakpoint
CREATE INDEX "review_assignments_campaign_idx" ON "review_assignments" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "review_conflicts_app_idx" ON "review_conflicts" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "review_reminders_campaign_idx" ON "review_reminders" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "review_reminders_dedupe_key" ON "review_reminders" USING btree ("campaign_id","dedupe_key") WHERE dedupe_key is not null;--> statement-breakpoint
CREATE INDEX "score_sheet_changes_sheet_idx" ON "score_sheet_changes" USING btree ("sheet_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "score_sheets_pair_key" ON "score_sheets" USING btree ("application_id","expert_id");--> statement-breakpoint
CREATE INDEX "score_sheets_expert_idx" ON "score_sheets" USING btree ("expert_id","campaign_id");--> statement-breakpoint
CREATE INDEX "score_sheets_campaign_idx" ON "score_sheets" USING btree ("campaign_id","status");