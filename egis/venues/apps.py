from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "egis.venues"
    label = "venues"
