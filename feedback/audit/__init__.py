"""The append-only audit trail of staff actions: an HMAC chain with a key the database does not
hold, and daily signed checkpoints published at /audit/checkpoints/. May import models only."""
