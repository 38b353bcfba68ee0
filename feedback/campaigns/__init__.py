"""Campaigns (R61): grouping identical and near-identical opinions as they arrive, the
re-analysis, and the analysts' campaign screens. May import models, analysis, audit,
permissions, search (indexing after grouping) and review.moderation (pseudonyms)."""
