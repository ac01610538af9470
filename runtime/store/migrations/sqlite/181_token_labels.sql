-- A label per API token (`token create <user> --label laptop`), so `token list` tells a user's
-- tokens apart; tokens made before have none (NULL).
ALTER TABLE auth_tokens ADD COLUMN label TEXT;
