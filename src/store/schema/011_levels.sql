-- A feed token's level of detail: full; neutral (kind and time, no
-- title, place or description); busy ("Union business", times only).
-- A work calendar may be given a lower level safely.
ALTER TABLE tokens ADD COLUMN level TEXT NOT NULL DEFAULT 'full'
	CHECK (level IN ('full', 'neutral', 'busy'));

PRAGMA user_version = 11;
