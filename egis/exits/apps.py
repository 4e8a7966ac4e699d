from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "egis.exits"
    label = "exits"
