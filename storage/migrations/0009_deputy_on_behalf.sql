-- A case's deputy: the stand-in its manager (or HR) named, who holds the manager's part of
-- the case too. Personal data: erased with the rest when the case is purged.
ALTER TABLE cases ADD COLUMN deputy_id INTEGER;
ALTER TABLE cases ADD COLUMN deputy_name TEXT
    CHECK ((deputy_id IS NULL) = (deputy_name IS NULL));
-- For whom a history line's actor acted: the case's manager, when their deputy or HR did the
-- manager's part for them. Erased by the purge like the actor (`events_no_rewrite` allows it).
ALTER TABLE events ADD COLUMN for_id INTEGER;
ALTER TABLE events ADD COLUMN for_name TEXT
    CHECK ((for_id IS NULL) = (for_name IS NULL));
