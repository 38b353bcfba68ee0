"""Chinese full-text search of opinions: the index written after opinions arrive and the
staff query. May import models and analysis."""
