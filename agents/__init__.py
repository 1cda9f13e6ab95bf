"""The agents of the escalation ladder: front desk, specialists, manager."""
