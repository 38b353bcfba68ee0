"""Wagtail admin hooks: campaigns screens."""
