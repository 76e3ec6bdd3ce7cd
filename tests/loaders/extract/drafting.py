"""Helpers of the extraction tests: draft ties from paragraphs written for a test, and find an entity by name."""

from __future__ import annotations

from loaders.extract import extract
from loaders.extract.document import Document


def ties_of(roster_units, *paragraphs):
    """The extraction of one report made of ``paragraphs``, and its proposed ties as (kind, from name, to name)."""
    found = extract([Document("t.txt", None, None, list(paragraphs))], roster_units)
    return found, {(p.type, p.source.name, p.target.name) for p in found.proposals}


def entity(found, name):
    """The entity of an extraction named ``name``."""
    return next(e for e in found.entities if e.name == name)
