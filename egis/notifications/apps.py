from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "egis.notifications"
    label = "notifications"
