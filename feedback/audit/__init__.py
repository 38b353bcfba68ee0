"""The append-only, hash-chained audit trail of staff actions. May import models only."""
