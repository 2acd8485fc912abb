-- Undoes 20261207110000_event_trace_parent: the stored trace contexts (webhook attempts then start
-- traces of their own).
ALTER TABLE "events" DROP COLUMN "trace_parent";
