"""``kartosfera.locking.locked_batch``: the first rows of a queryset, locked, skipping rows held elsewhere."""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from customers.models import User
from kartosfera.locking import locked_batch
from tests.customers.factories import UserFactory

requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks need PostgreSQL (`make test-services`); SQLite has none",
)


@pytest.mark.django_db
def test_the_batch_is_the_first_rows_in_the_querysets_order():
    for name in ("ewa", "anna", "bartek", "celina"):
        UserFactory(username=name)

    names = User.objects.filter(username__in=("ewa", "anna", "bartek", "celina"))
    with transaction.atomic():
        batch = list(locked_batch(names.order_by("username").values_list("username", flat=True), size=3))

    assert batch == ["anna", "bartek", "celina"]


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_row_another_transaction_holds_is_skipped_not_waited_for():
    anna, bartek, celina = (UserFactory(username=name) for name in ("anna", "bartek", "celina"))
    held, release = threading.Event(), threading.Event()

    def hold_anna() -> None:
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=anna.pk)
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_anna)
    holder.start()
    try:
        assert held.wait(timeout=30)
        with transaction.atomic():
            batch = list(locked_batch(User.objects.order_by("username"), size=2))
    finally:
        release.set()
        holder.join(timeout=30)

    assert batch == [bartek, celina]
