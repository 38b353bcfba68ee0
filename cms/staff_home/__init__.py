"""The staff home page (Wagtail's dashboard): one panel of work per role (issue 15)."""
