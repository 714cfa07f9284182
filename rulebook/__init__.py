"""The rule book (being written)."""
