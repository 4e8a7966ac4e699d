from django.apps import AppConfig


class PaperConfig(AppConfig):
    name = "egis.venues.paper"
    label = "paper"
