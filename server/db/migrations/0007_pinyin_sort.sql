-- Pinyin sort keys for 查询申报表 (core/pinyin.ts). SQL cannot compute pinyin: existing rows are filled at start-up
-- by server/db/backfill.ts (rows whose key is null), and every write of work_unit / a unit's name sets the key.
ALTER TABLE "applications" ADD COLUMN "work_unit_sort" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "name_sort" text;