"""The trader's cockpit over the ledger: per-bot closed totals, the portfolio at a glance, the
Activity history, CSV export, and stopping a bot (pause, close all)."""
