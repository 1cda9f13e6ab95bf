"""Stand-ins for the models, for tests and the offline rehearsal. Never used in a real call."""
