"""Command-line entry points (`s2f ...`)."""
