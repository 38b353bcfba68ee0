"""Fixtures shared by the consultations tests: the admin tests' fixed clock, a department and
its approver's client (consultations/tests/admin_support.py has the builders)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from consultations.roles import Role
from consultations.tests.admin_support import NOW, make_user
from consultations.tests.factories import DepartmentFactory


@pytest.fixture
def frozen_clock():
    """Every test of a module that asks for it (``usefixtures``) runs at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def approver_client(department):
    client = Client()
    client.force_login(make_user(Role.APPROVER, department))
    return client
