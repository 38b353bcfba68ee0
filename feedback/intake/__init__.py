"""Intake: the public opinion form, receipts (read, edit, withdraw), the write path (one
statement per opinion), rate limits, and offline entry and import by intake clerks.
May import feedback.models, privacy, audit, permissions, web and consultations; no other capability."""
