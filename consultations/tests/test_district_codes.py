"""District filters take codes, which are digits too: "330102" is a code, never a key."""

from __future__ import annotations

import pytest

from consultations.selectors import consultation_list_public, district_with_descendants
from consultations.tests.factories import DistrictFactory, published_consultation

pytestmark = pytest.mark.django_db


def test_an_all_digit_code_is_a_code():
    xihu = DistrictFactory(code="330106", level="district")
    street = DistrictFactory(code="330106001", parent=xihu, level="subdistrict")
    assert district_with_descendants("330106") == {xihu.pk, street.pk}
    assert district_with_descendants(xihu) == {xihu.pk, street.pk}
    assert district_with_descendants(xihu.pk) == {xihu.pk, street.pk}


def test_a_code_that_equals_another_districts_key_means_the_code():
    keyed = DistrictFactory()
    coded = DistrictFactory(code=str(keyed.pk))
    assert district_with_descendants(str(keyed.pk)) == {coded.pk}
    assert district_with_descendants(keyed.pk) == {keyed.pk}


def test_unknown_code_or_key_matches_nothing():
    DistrictFactory(code="330102")
    assert district_with_descendants("999999") == set()
    assert district_with_descendants(10**9) == set()


def test_list_filter_by_digit_code():
    xihu = DistrictFactory(code="330106", level="district")
    other = DistrictFactory(code="330102", level="district")
    mine = published_consultation(slug="xihu-plan", districts=[xihu])
    published_consultation(slug="shangcheng-plan", districts=[other])
    assert [c.slug for c in consultation_list_public(district="330106")] == [mine.slug]
