-- Undoes 20261204160000_team_invitations: open invitations are lost (members stay).
DROP TABLE "invitations";
