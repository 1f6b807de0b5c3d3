from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

NOW = datetime(2025, 12, 23, 13, 5, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # Argon2 costs a quarter of a second per password by design; these tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def make_user(django_user_model):
    """Create a user, optionally staff and in the named groups (created as needed)."""

    def make(username: str, *, groups: tuple[str, ...] = (), **flags) -> object:
        user = django_user_model.objects.create_user(username=username, password="a-long-password-1", **flags)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make
