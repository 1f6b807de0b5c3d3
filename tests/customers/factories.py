"""Factories for customers. PESELs come from the pure generator, so every one is valid and unique."""

from datetime import date, timedelta

import factory

from customers.models import Customer, User
from customers.rules import Sex, generate_pesel


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = Customer.Kind.INDIVIDUAL
    first_name = "Ewa"
    last_name = factory.Sequence(lambda n: f"Testowa-{n}")
    birth_date = factory.Sequence(lambda n: date(1980, 1, 1) + timedelta(days=n))
    pesel = factory.LazyAttributeSequence(
        lambda customer, n: generate_pesel(birth_date=customer.birth_date, serial=n % 5000, sex=Sex.FEMALE)
    )
    mobile_phone = "+48601234567"
    email = factory.LazyAttribute(lambda customer: f"{customer.last_name.lower()}@example.com")
