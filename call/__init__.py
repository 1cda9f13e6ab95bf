"""One call: its state, its side effects kept off the caller's path, and its record."""
