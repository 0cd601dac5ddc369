"""privacy: personal data out of everything Hark stores, logs or sends (see docs/privacy.md)."""
