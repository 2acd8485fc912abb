-- Undoes 20261208160000_chain_incident_acknowledgements: merchants' acknowledgements of chain-wide
-- incidents are forgotten (those incidents show on their dashboards again until the operator
-- acknowledges them). No money data.
DROP TABLE "chain_incident_acknowledgements";
