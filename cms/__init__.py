"""The public site: Wagtail pages, routing shortcuts and page caches over feedback and
consultations, which it may import; nothing imports cms but Django settings and URLs."""
