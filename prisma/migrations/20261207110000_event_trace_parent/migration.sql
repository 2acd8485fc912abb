-- The W3C traceparent of the span that recorded an event (null when tracing was off): webhook
-- attempts and other background work caused by the event continue its trace (issue 20).
ALTER TABLE "events" ADD COLUMN "trace_parent" TEXT;
