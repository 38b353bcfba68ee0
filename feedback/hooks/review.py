"""Wagtail admin hooks: review screens."""
