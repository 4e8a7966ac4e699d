from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "egis.audit"
    label = "audit"
