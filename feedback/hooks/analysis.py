"""Wagtail admin hooks: analysis screens."""
