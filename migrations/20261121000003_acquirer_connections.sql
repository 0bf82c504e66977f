-- Acquirer connections belong to a merchant (per mode): what `routing[preferred_acquirer]`
-- may name. `kind` picks the implementation (this build has the sandbox only).
CREATE TABLE acquirer_connections (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mode        TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    PRIMARY KEY (account_id, mode, id)
);

-- Accounts created before this migration get the connections new accounts start with.
INSERT INTO acquirer_connections (account_id, mode, id, name, kind, created)
SELECT a.id, m.mode, c.id, c.name, 'sandbox', a.created
FROM accounts a
CROSS JOIN (SELECT 'test' AS mode UNION ALL SELECT 'live') m
CROSS JOIN (SELECT 'acq_sandbox' AS id, 'Sandbox' AS name
            UNION ALL SELECT 'acq_eu_1', 'Sandbox EU 1'
            UNION ALL SELECT 'acq_us_1', 'Sandbox US 1') c;
