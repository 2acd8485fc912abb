-- ctrip:drops-money-data
-- Undoes 20261209100000_payment_accepted_underpayment: accepted underpayments forget the amount
-- accepted (they stay confirmed; the code before it cannot tell them from short confirmed payments).
ALTER TABLE "payments" DROP COLUMN "accepted_amount";
