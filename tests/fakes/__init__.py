"""Test doubles: stand-ins for audio devices and models. They live with the tests, never in
the installed package (benchmarks import them from here too)."""
