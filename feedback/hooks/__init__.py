"""Wagtail admin hooks of the staff screens, one module per area; imported by wagtail_hooks."""
