-- Dashboard settings on the account, and the lookups the dashboard's payment search makes.
-- `embed_origins` holds one origin per line (the sites allowed to frame our card fields);
-- `default_acquirer` is the connection a payment uses when it names none.
ALTER TABLE accounts ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN default_acquirer TEXT NOT NULL DEFAULT 'acq_sandbox';

CREATE INDEX payments_by_email ON payments (account_id, mode, customer_email, sort_key);
CREATE INDEX payments_by_created ON payments (account_id, mode, created);
