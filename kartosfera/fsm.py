"""The one door to django-fsm-2's transition metadata, and the guards judged at an explicit instant.

Shared by the state machines of the case (``disputes``) and the chargeback (``chargebacks``).

django-fsm-2 keeps what a transition allows (source, target, permission, conditions, custom data) on a
private ``_django_fsm`` attribute of the model's method; only this module reads it, so an upgrade that
moves it breaks here, where ``tests/disputes/test_fsm.py`` pins the version (constraints.txt).

django-fsm calls a condition with the instance alone. Our guards judge deadlines, so they also need
the instant of the act: a ``Guard`` is a test ``(obj, now) -> bool`` declared in the transition's
``conditions`` (the workflow diagram lists them), and judged here by ``failed_guard`` and
``available_transitions`` with ``now`` as an argument. When the transition method itself runs,
django-fsm calls each condition with the instance only; a ``Guard`` answers yes there, because the
services run a transition only after ``failed_guard`` judged it at their ``now``
(``disputes.services``: ``apply_transition``).
"""

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import Model
from django_fsm import Transition

GuardTest = Callable[[Any, datetime], bool]


class Guard:
    """A transition condition judged at ``now``, with the code of the refusal the services raise."""

    def __init__(self, test: GuardTest, refusal_code: str) -> None:
        self.test = test
        self.refusal_code = refusal_code
        self.name: str = test.__name__
        functools.update_wrapper(self, test)  # the diagram shows the test's name and docstring

    def holds(self, obj: Model, now: datetime) -> bool:
        """Whether the guard lets the transition run on ``obj`` at ``now``."""
        return self.test(obj, now)

    def __call__(self, instance: Model) -> bool:
        # django-fsm's own pass when the transition method runs: the guard was judged at the act's
        # instant just before (``failed_guard``), which django-fsm has no way to pass.
        return True


def guard(code: str) -> Callable[[GuardTest], Guard]:
    """Declare a transition guard ``(obj, now) -> bool`` whose failure the services refuse with ``code``."""

    def make(test: GuardTest) -> Guard:
        return Guard(test, code)

    return make


def transition_for(model: type[Model] | Model, name: str, state: str) -> Transition | None:
    """The transition ``name`` of ``model`` from ``state``, or None if the machine has none from there."""
    model_class = model if isinstance(model, type) else type(model)
    return getattr(model_class, name)._django_fsm.get_transition(state)


def all_transitions(model: type[Model], field: str = "state") -> list[Transition]:
    """Every (source, transition) of the model's state field, one entry per source state."""
    return list(model._meta.get_field(field).get_all_transitions(model))  # type: ignore[union-attr]


def guards(transition: Transition) -> list[Guard]:
    """The guards declared on a transition, in their declared order."""
    return list(transition.conditions)  # type: ignore[arg-type]


def failed_guard(obj: Model, transition: Transition, *, now: datetime) -> Guard | None:
    """The first guard of ``transition`` that refuses it on ``obj`` at ``now``, or None if all hold."""
    return next((check for check in guards(transition) if not check.holds(obj, now)), None)


def _from_current_state(obj: Model, field: str) -> Iterator[Transition]:
    state = getattr(obj, field)
    fsm_field = obj._meta.get_field(field)
    for method in fsm_field.transitions[type(obj)].values():  # type: ignore[union-attr]
        meta = method._django_fsm
        if meta.has_transition(state):
            yield meta.get_transition(state)


def available_transitions(obj: Model, *, now: datetime, user: Any = None, field: str = "state") -> list[str]:
    """The transitions ``obj`` allows from its state at ``now`` (and to ``user``, if given), every guard met.

    The order is django-fsm's own (``get_available_<field>_transitions``): by method name.
    """
    return [
        transition.name
        for transition in _from_current_state(obj, field)
        if failed_guard(obj, transition, now=now) is None and (user is None or transition.has_perm(obj, user))
    ]
