"""Small helpers: seeding, device selection, logging and atomic file writes."""
