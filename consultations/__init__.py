"""Consultations: kinds and their rules, periods, the Consultation model, drafts and change log.

The lowest app: it may import Django, Wagtail and libraries, never ``feedback`` or ``cms``.
"""
