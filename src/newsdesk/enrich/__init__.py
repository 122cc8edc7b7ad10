"""Enrichment: language, section, summary, key facts, entities, embeddings."""
