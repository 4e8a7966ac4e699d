"""Who changed what: one row per change of a budget, a role or an activation, readable by admins."""
