"""Opinions and everything done with them, one package per capability over shared analysis,
privacy, audit and models (docs/architecture.md). Imports consultations, never cms."""
