from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "egis.ledger"
    label = "ledger"
