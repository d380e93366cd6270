"""Deduplication: content fingerprints and the near-duplicate index."""
