-- Per-merchant acknowledgements of chain-wide incidents (issue 17): a merchant's owner or admin
-- hides a chain-wide incident from its own dashboard only; the incident row's acknowledged_at (what
-- /api/health reads) is now set only by the operator (admin CLI) or, for a merchant's own incident,
-- by that merchant.
CREATE TABLE "chain_incident_acknowledgements" (
    "incident_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_by" TEXT NOT NULL,

    CONSTRAINT "chain_incident_acknowledgements_pkey" PRIMARY KEY ("incident_id", "merchant_id")
);

CREATE INDEX "chain_incident_acknowledgements_merchant_id_idx" ON "chain_incident_acknowledgements"("merchant_id");

ALTER TABLE "chain_incident_acknowledgements" ADD CONSTRAINT "chain_incident_acknowledgements_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "chain_incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
