from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "egis.accounts"
    label = "accounts"
