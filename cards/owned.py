"""The door to a page about one of the signed-in customer's cards: the card pages, and the claim that
starts from a card. Someone else's card answers 404, exactly like a missing one."""

from cards.models import Card
from cards.selectors import card_get_for_customer
from customers.owned import owned_page

card_page = owned_page(
    find=card_get_for_customer, id_name="card_id", missing=Card.DoesNotExist, not_found="no such card"
)
"""A signed-in customer's own card, as ``card`` (404 for anyone else's)."""
