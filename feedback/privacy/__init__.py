"""Personal data kept apart from opinions: contacts (encrypted, every read logged), the
contact key, masking of personal details in texts, and retention (purge). May import models and
audit only."""
