"""``manage.py deadlines``: compute a legal deadline from the command line, as text or JSON."""

import argparse
import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from deadlines import engine
from deadlines.rules import Regime, Scheme, Stage


def _instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date-time, e.g. 2025-12-23T14:05:00+01:00"
        ) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date, e.g. 2025-01-31") from None


class Command(BaseCommand):
    help = "Compute a legal deadline (RULES.md section 2) with the bank's calendar and explain it."

    def add_arguments(self, parser) -> None:
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--json", action="store_true", help="print JSON for machines")
        common.add_argument("--lang", choices=["pl", "en"], default="pl", help="language of the text")
        commands = parser.add_subparsers(
            dest="deadline", required=True, metavar="{refund,reply,window,chargeback}"
        )

        refund = commands.add_parser("refund", parents=[common], help="UUP-46-1: D+1 refund")
        refund.add_argument("--reported-at", type=_instant, required=True, help="ISO date-time with offset")
        refund.add_argument("--found-at", type=_instant, help="when the bank found the transaction itself")

        reply = commands.add_parser("reply", parents=[common], help="REK-6/REK-7, UUP-PS-15/UUP-PS-35")
        reply.add_argument("--received-at", type=_instant, required=True, help="ISO date-time with offset")
        reply.add_argument(
            "--regime", choices=[regime.value for regime in Regime], default=Regime.COMPLAINTS_ACT
        )
        reply.add_argument("--extended", action="store_true", help="particularly complicated case (60/35)")

        window = commands.add_parser("window", parents=[common], help="UUP-44-2: 13-month reporting window")
        window.add_argument("--debited-on", type=_date, required=True, help="ISO date")

        chargeback = commands.add_parser(
            "chargeback", parents=[common], help="CB-VISA-10.4, CB-MC-4837, CB-MC-2P"
        )
        chargeback.add_argument("--processed-on", type=_date, required=True, help="ISO date")
        chargeback.add_argument("--scheme", choices=[scheme.value for scheme in Scheme], required=True)
        chargeback.add_argument("--stage", choices=[stage.value for stage in Stage], default=Stage.CHARGEBACK)

    def handle(self, *args, **options) -> None:
        try:
            deadline = self._compute(options)
        except (ValueError, TypeError) as error:  # NaiveDatetimeError and the rules' input errors
            raise CommandError(str(error)) from error
        lang = options["lang"]
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(deadline, lang), ensure_ascii=False, indent=2))
            return
        with translation.override(lang):
            rows = [
                (_("Rule"), deadline.rule),
                (_("Legal basis"), deadline.basis.text(lang)),
                (_("Start date"), deadline.start_date.isoformat()),
                (_("Due date"), deadline.due_date.isoformat()),
                (_("Due before"), f"{deadline.due_at.isoformat()} (Europe/Warsaw)"),
                (_("Explanation"), deadline.explanation(lang)),
            ]
        width = max(len(label) for label, _value in rows) + 1
        for label, value in rows:
            self.stdout.write(f"{label + ':':<{width}} {value}")

    @staticmethod
    def _compute(options) -> engine.Deadline:
        match options["deadline"]:
            case "refund":
                return engine.refund_due(reported_at=options["reported_at"], found_at=options["found_at"])
            case "reply":
                return engine.reply_due(
                    received_at=options["received_at"], regime=options["regime"], extended=options["extended"]
                )
            case "window":
                return engine.claim_window_end(debited_on=options["debited_on"])
            case "chargeback":
                return engine.chargeback_due(
                    processed_on=options["processed_on"], scheme=options["scheme"], stage=options["stage"]
                )
        raise CommandError(f"unknown deadline {options['deadline']!r}")

    @staticmethod
    def _as_json(deadline: engine.Deadline, lang: str) -> dict:
        return {
            "rule": deadline.rule,
            "start_date": deadline.start_date.isoformat(),
            "due_date": deadline.due_date.isoformat(),
            "due_at": deadline.due_at.isoformat(),
            "lang": lang,
            "basis": deadline.basis.text(lang),
            "explanation": deadline.explanation(lang),
            "steps": [
                {"code": step.code, "day": step.day.isoformat(), "text": step.text.text(lang)}
                for step in deadline.steps
            ],
            "policies": dict(deadline.policies),
        }
