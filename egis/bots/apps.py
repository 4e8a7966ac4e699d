from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "egis.bots"
    label = "bots"
