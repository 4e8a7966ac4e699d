from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "egis.cli"
    label = "cli"
