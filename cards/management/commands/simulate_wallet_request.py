"""A wallet asks to add a card, through the card processor's simulator (demo): a pending device."""

from django.core.management.base import BaseCommand, CommandError

from cards import services
from cards.models import Card, Wallet
from kartosfera import clock


class Command(BaseCommand):
    help = "Simulate a phone or watch wallet asking to add a card; the customer confirms it in the portal."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--card", type=int, required=True, help="the card's id")
        parser.add_argument("--wallet", choices=Wallet.values, default=Wallet.GOOGLE_PAY)
        parser.add_argument("--device", default="Pixel 9", help="the device's name as the wallet gives it")

    def handle(self, *args, card: int, wallet: str, device: str, **options) -> None:
        try:
            token = services.wallet_token_simulate_request(
                card_id=card, wallet=wallet, device_name=device, now=clock.now()
            )
        except Card.DoesNotExist as error:
            raise CommandError(f"no card {card}") from error
        except services.CardServiceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{token} waits for the customer's confirmation (card {card})")
