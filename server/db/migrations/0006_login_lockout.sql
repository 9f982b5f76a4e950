CREATE TABLE "login_failures" (
	"account" text NOT NULL,
	"ip" text NOT NULL,
	"failures" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone,
	CONSTRAINT "login_failures_account_ip_pk" PRIMARY KEY("account","ip")
);
--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD COLUMN "purpose" text DEFAULT 'recover' NOT NULL;--> statement-breakpoint
CREATE INDEX "login_failures_window_idx" ON "login_failures" USING btree ("window_start");--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "failed_logins";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "locked_until";