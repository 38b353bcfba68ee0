"""Wagtail admin hooks: risk screens."""
