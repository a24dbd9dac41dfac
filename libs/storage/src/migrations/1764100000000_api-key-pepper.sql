-- Up Migration

-- Keys become HMAC-SHA-256(pepper, SHA-256(key)): rows written before keep their plain SHA-256
-- (hash_version 1) until a process holding the pepper rewraps them in place (ApiKeyService
-- upgradeLegacyHashes), which needs no key in clear because the old hash is the HMAC's input.
ALTER TABLE api_keys ADD COLUMN hash_version SMALLINT NOT NULL DEFAULT 1;
-- Optional end of life: a key past it is refused like a revoked one (rotation sets it on the old key).
ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMPTZ;
-- The serviceIds a key may write and read; NULL = every service.
ALTER TABLE api_keys ADD COLUMN services TEXT[];

-- Down Migration

ALTER TABLE api_keys DROP COLUMN services;
ALTER TABLE api_keys DROP COLUMN expires_at;
ALTER TABLE api_keys DROP COLUMN hash_version;
