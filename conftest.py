"""Fixtures shared by every app's tests. Keep this small; app fixtures live in the apps.

Fixtures that need the public page tree live here (outside the three packages) so that the
``feedback`` and ``consultations`` tests can use the site without importing ``cms``, which the
layers contract forbids.
"""

import pytest


def _site_tree():
    from cms.site_setup import ensure_site_tree

    return ensure_site_tree()


def _index_of(home):
    return home.get_children().get(slug="consultations").specific


@pytest.fixture
def site_tree(db):
    """The public page tree (home, /consultations/, fixed pages), as ``setup_site`` makes it."""
    return _site_tree()


@pytest.fixture
def consultation_index(db):
    """The routable consultation index page at /consultations/ (with the tree around it)."""
    return _index_of(_site_tree())


@pytest.fixture
def consultation_index_transactional(transactional_db):
    """The same, for tests that run a live server and need committed data."""
    return _index_of(_site_tree())
