CREATE TABLE "application_units" (
	"application_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_units_application_id_unit_id_pk" PRIMARY KEY("application_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"unit_id" uuid,
	"role" text,
	"application_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "application_events" ADD COLUMN "from_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "application_events" ADD COLUMN "to_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "application_events" ADD COLUMN "actor_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "return_opinion" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "unit_opinion" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "org_opinion" text;--> statement-breakpoint
ALTER TABLE "application_units" ADD CONSTRAINT "application_units_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_units" ADD CONSTRAINT "application_units_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_units_unit_idx" ON "application_units" USING btree ("unit_id","application_id");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_unit_idx" ON "notifications" USING btree ("unit_id","created_at");--> statement-breakpoint
CREATE INDEX "applications_campaign_seq_idx" ON "applications" USING btree ("campaign_id","seq");--> statement-breakpoint
CREATE INDEX "applications_status_idx" ON "applications" USING btree ("status","seq");--> statement-breakpoint
UPDATE "applications" SET "seq" = substring("number" from '^[A-Z]+[0-9]{4}([0-9]+)$')::int WHERE "seq" = 0 AND "number" ~ '^[A-Z]+[0-9]{4}[0-9]+$';
