"""Exports of the de-identified register and the aggregates (CSV, XLSX) and their screens.
May import models, analysis, privacy, audit and permissions."""
