"""The voice pipeline's models, built from settings in one place."""
