"""Entity resolution: which areas, occupations and industries a phrase names.

``Vocabulary`` holds the OEWS dimension tables; ``EntityResolver`` indexes it once and answers
``exact()`` (one dict lookup, for every n-gram of a question) and ``area()`` /
``occupation()`` / ``industry()`` (exact, then fuzzy) with a ``Resolution``.
"""

from agents.resolve.entities import Area, Industry, Match, Occupation, Resolution, Vocabulary
from agents.resolve.resolver import MAX_PHRASE_WORDS, EntityResolver, normalize

__all__ = [
    "MAX_PHRASE_WORDS",
    "Area",
    "EntityResolver",
    "Industry",
    "Match",
    "Occupation",
    "Resolution",
    "Vocabulary",
    "normalize",
]
