"""Sub-command groups of `egis`. Each module has `register(subparsers)`; add new ones to GROUPS."""

GROUPS = [
    "egis.cli.commands.users",
    "egis.cli.commands.bots",
    "egis.cli.commands.prices",
    "egis.cli.commands.orders",
    "egis.cli.commands.demo",
    "egis.cli.commands.accounts",
    "egis.cli.commands.exchange",
    "egis.cli.commands.tokens",
    "egis.cli.commands.recovery",
    "egis.cli.commands.reconcile",
    "egis.cli.commands.reconciliations",
    "egis.cli.commands.audit",
]
