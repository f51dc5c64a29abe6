-- A freed place is offered to the first on the waiting list, held for
-- them until offered_until; they take it by the link whose secret's
-- hash is offer_hash, or it passes to the next.
ALTER TABLE attendance ADD COLUMN offered_until INTEGER;
ALTER TABLE attendance ADD COLUMN offer_hash TEXT;
CREATE UNIQUE INDEX attendance_by_offer ON attendance(offer_hash)
	WHERE offer_hash IS NOT NULL;

PRAGMA user_version = 9;
