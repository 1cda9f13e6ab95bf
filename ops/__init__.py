"""Operator commands: `python -m ops <group> <command>` (see `python -m ops --help`)."""
