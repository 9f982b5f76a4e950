ALTER TABLE "applications" ADD COLUMN "preliminary_result" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "preliminary_reason" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "preliminary_by" uuid;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "preliminary_by_name" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "preliminary_at" timestamp with time zone;