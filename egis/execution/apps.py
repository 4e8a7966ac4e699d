from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    # No models of its own (they live in egis.ledger); installed so Huey finds its tasks.
    name = "egis.execution"
    label = "execution"
