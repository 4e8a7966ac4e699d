"""Paper reconciliation and the drift check: pure diffs plus thin services that apply them."""
