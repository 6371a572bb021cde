"""Finding class mentions in texts and counting them: lexicons, the matcher, count_classes."""

from vlmdata.matching.counting import class_counts, count_classes
from vlmdata.matching.lexicon import Entry, Lexicon, lexicon_for
from vlmdata.matching.matcher import Matcher, Mention

__all__ = [
    "Entry",
    "Lexicon",
    "Matcher",
    "Mention",
    "class_counts",
    "count_classes",
    "lexicon_for",
]
