"""Search indexes: full-text lives in the store (FTS5); vectors live in `vectors.py`."""
