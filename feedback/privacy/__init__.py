"""Personal data kept apart from opinions: contacts (encrypted, every read logged), the
contact key, masking of personal details in texts, retention (purge), and the privacy officers' staff
screens (identity look-ups, audit viewer, access log, residents' requests). May import models,
audit, permissions and consultations."""
