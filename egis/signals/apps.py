from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "egis.signals"
    label = "signals"
