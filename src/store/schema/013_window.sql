-- How long an event that is over stays in an audience's feeds (days):
-- feeds stay whole for apps that drop events from large ones.  NULL:
-- the default window.
ALTER TABLE audiences ADD COLUMN past_days INTEGER;

PRAGMA user_version = 13;
