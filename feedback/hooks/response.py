"""Wagtail admin hooks: response screens."""
