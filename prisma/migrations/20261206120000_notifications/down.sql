-- Undoes 20261206120000_notifications: the notification history and the members' opt-outs are lost.
DROP TABLE "notification_opt_outs";
DROP TABLE "notification_recipients";
DROP TABLE "notifications";
DROP TYPE "notification_email_status";
DROP TYPE "notification_kind";
