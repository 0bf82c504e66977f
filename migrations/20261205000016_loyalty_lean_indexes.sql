-- Fewer index writes per earn (an earn rule runs with every paying customer's payment).
--
-- Entries are read by their transaction (the key) and summed by account only by `vinr ledger
-- verify`, in one pass over them all, which needs no index of its own.
DROP INDEX points_entries_of_account;

-- The expiry worker looks for lots that expire: those that never do need no entry here.
DROP INDEX points_lots_expiry;
CREATE INDEX points_lots_expiry ON points_lots (expires_at)
    WHERE pending = 0 AND remaining > 0 AND expires_at IS NOT NULL;
