from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "egis.portfolio"
    label = "portfolio"
