"""Browser tests of the public site (the Chromium fixtures are in the root conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def site_data(transactional_db):
    """The page tree and one open consultation with clauses, districts and alternatives."""
    from cms.site_setup import ensure_site_tree
    from consultations.tests.factories import (
        AlternativeFactory,
        DepartmentFactory,
        DistrictFactory,
        local_midnight_after,
        published_consultation,
    )

    ensure_site_tree()
    opens = timezone.now() - timedelta(days=2)
    consultation = published_consultation(
        slug="waste-plant",
        clauses=3,
        title="垃圾焚烧发电厂选址方案",
        title_en="Waste-to-energy plant siting plan",
        plain_summary="城西需要新建垃圾处理设施，请您比较两个候选地点。",
        plain_summary_en="The west of the city needs a new waste plant. Compare the two sites.",
        department=DepartmentFactory(name="城市管理局", name_en="City Management Bureau"),
        districts=[DistrictFactory(name="西湖区", name_en="Xihu District")],
        opens_at=opens,
        closes_at=local_midnight_after(opens, 40),
    )
    AlternativeFactory(consultation=consultation, title="甲地", title_en="Site A")
    AlternativeFactory(consultation=consultation, title="乙地", title_en="Site B")
    return consultation
