"""Vocabulary shared by several domains (a venue is named by bots, accounts and filters)."""

from django.db import models


class Venue(models.TextChoices):
    PAPER = "paper", "Paper"
    BINANCE_FUTURES = "binance_futures", "Binance USD-M Futures"
