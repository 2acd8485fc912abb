-- Accept an underpayment as paid (issue 23): an expired underpaid payment the merchant accepts
-- becomes confirmed (exception kept: underpaid) and remembers what had arrived, so a reorg taking
-- part of it away sends it back to expired instead of leaving a confirmed payment short.
ALTER TABLE "payments" ADD COLUMN "accepted_amount" DECIMAL(78,0);
