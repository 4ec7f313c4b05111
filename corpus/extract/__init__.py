"""Index-time extraction: gap claims and named entities."""
