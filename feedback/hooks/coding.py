"""Wagtail admin hooks: coding screens."""
