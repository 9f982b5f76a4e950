CREATE TABLE "expert_group_members" (
	"group_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	CONSTRAINT "expert_group_members_group_id_expert_id_pk" PRIMARY KEY("group_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "expert_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"name" text NOT NULL,
	"field" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expert_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"work_unit" text NOT NULL,
	"work_unit_norm" text NOT NULL,
	"field" text NOT NULL,
	"id_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objection_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"objection_id" uuid NOT NULL,
	"name" text NOT NULL,
	"storage_key" text NOT NULL,
	"mime" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"publicity_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mobile" text NOT NULL,
	"content" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"finding" text,
	"decided_by" uuid,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mobile" text NOT NULL,
	"purpose" text NOT NULL,
	"code_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "publicities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"unit_id" uuid,
	"title" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"contact_name" text NOT NULL,
	"contact_phone" text NOT NULL,
	"objection_method" text NOT NULL,
	"status" text DEFAULT 'published' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"withdrawn_reason" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "publicity_entries" (
	"publicity_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"work_unit" text NOT NULL,
	"job_title" text NOT NULL,
	"field" text NOT NULL,
	"summary" text NOT NULL,
	CONSTRAINT "publicity_entries_publicity_id_application_id_pk" PRIMARY KEY("publicity_id","application_id")
);
--> statement-breakpoint
CREATE TABLE "publicity_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"publicity_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"content" jsonb NOT NULL,
	"actor_id" uuid NOT NULL,
	"actor_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "expert_group_members" ADD CONSTRAINT "expert_group_members_group_id_expert_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."expert_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_group_members" ADD CONSTRAINT "expert_group_members_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_groups" ADD CONSTRAINT "expert_groups_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_profiles" ADD CONSTRAINT "expert_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objection_files" ADD CONSTRAINT "objection_files_objection_id_objections_id_fk" FOREIGN KEY ("objection_id") REFERENCES "public"."objections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_publicity_id_publicities_id_fk" FOREIGN KEY ("publicity_id") REFERENCES "public"."publicities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicities" ADD CONSTRAINT "publicities_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicities" ADD CONSTRAINT "publicities_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicity_entries" ADD CONSTRAINT "publicity_entries_publicity_id_publicities_id_fk" FOREIGN KEY ("publicity_id") REFERENCES "public"."publicities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicity_entries" ADD CONSTRAINT "publicity_entries_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicity_versions" ADD CONSTRAINT "publicity_versions_publicity_id_publicities_id_fk" FOREIGN KEY ("publicity_id") REFERENCES "public"."publicities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "expert_group_members_expert_idx" ON "expert_group_members" USING btree ("expert_id");--> statement-breakpoint
CREATE UNIQUE INDEX "expert_groups_name_key" ON "expert_groups" USING btree ("campaign_id","name");--> statement-breakpoint
CREATE INDEX "expert_profiles_work_unit_idx" ON "expert_profiles" USING btree ("work_unit_norm");--> statement-breakpoint
CREATE INDEX "objection_files_objection_idx" ON "objection_files" USING btree ("objection_id");--> statement-breakpoint
CREATE INDEX "objections_publicity_idx" ON "objections" USING btree ("publicity_id","status");--> statement-breakpoint
CREATE INDEX "objections_app_idx" ON "objections" USING btree ("application_id","status");--> statement-breakpoint
CREATE INDEX "phone_codes_mobile_idx" ON "phone_codes" USING btree ("mobile","purpose","created_at");--> statement-breakpoint
CREATE INDEX "publicities_campaign_idx" ON "publicities" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE INDEX "publicities_unit_idx" ON "publicities" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "publicity_entries_app_idx" ON "publicity_entries" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "publicity_versions_key" ON "publicity_versions" USING btree ("publicity_id","version");