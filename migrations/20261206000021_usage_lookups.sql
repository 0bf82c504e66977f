-- Usage records listed by subscription item or by subscription (what a metered merchant reads
-- back) read every usage record of the merchant: SQLite (planning without statistics) took the
-- merchant's list index, which gives the list's order, over usage_records_of_item, which does
-- not. Each filter gets an index that ends with the list order. Two entries more per usage
-- record; usage_records_of_item stays for adding a period's usage up by time.
CREATE INDEX usage_records_by_item ON usage_records (subscription_item, account_id, mode, sort_key, id);
CREATE INDEX usage_records_by_subscription ON usage_records (subscription, account_id, mode, sort_key, id);
