"""``kartosfera.compiled_sql``: a queryset's SQL kept per shape and run with new values."""

import pytest

from customers.models import User
from kartosfera import compiled_sql
from tests.customers.factories import UserFactory

pytestmark = pytest.mark.django_db

USERNAME = {"name": User._meta.get_field("username")}


def test_the_kept_sql_runs_with_each_calls_values():
    anna, _, ewa = (UserFactory(username=name) for name in ("anna", "bartek", "ewa"))

    def build(values):
        return (
            User.objects.filter(username__gte=values["name"])
            .order_by("username")
            .values_list("pk", "username")
        )

    first = compiled_sql.run("users from", build, USERNAME, {"name": "b"})
    second = compiled_sql.run("users from", build, USERNAME, {"name": "a"}, low=1, high=3)

    assert [username for _, username in first] == ["bartek", "ewa"]
    assert second == [
        (pk, name) for pk, name in User.objects.order_by("username").values_list("pk", "username")[1:3]
    ]
    assert [shape for key, shape in compiled_sql._SHAPES.items() if key[2] == "users from"] != [None]
    assert (anna.pk, "anna") not in second and (ewa.pk, "ewa") in first


def test_a_value_changed_on_its_way_into_the_sql_is_never_substituted():
    anna = UserFactory(username="anna")

    def build(values):
        return User.objects.filter(username=values["name"].lower()).values_list("pk")

    # Lower-casing the placeholder changes it, so its place in the SQL cannot be found: the ORM runs.
    rows = compiled_sql.run("lowered", build, USERNAME, {"name": "ANNA"})

    assert rows == [(anna.pk,)]
    assert [shape for key, shape in compiled_sql._SHAPES.items() if key[2] == "lowered"] == [None]


def test_a_query_the_orm_answers_without_sql_is_left_to_the_orm():
    UserFactory(username="anna")

    def build(values):
        return User.objects.filter(username=values["name"], pk__in=[]).values_list("pk")

    assert compiled_sql.run("nothing", build, USERNAME, {"name": "anna"}) == []
    assert [shape for key, shape in compiled_sql._SHAPES.items() if key[2] == "nothing"] == [None]
