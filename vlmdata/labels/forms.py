"""Surface forms of class names: the normalisation every text goes through, and inflections.

A text and a pattern meet in one normalised alphabet: ASCII letters lower-cased, every other
ASCII character that is not a letter or digit turned into a space, non-ASCII bytes kept as they
are. The same byte table serves the fast path (one `bytes.translate` per batch of texts, which
keeps byte offsets) and the patterns, so "Hot-Dog", "hot dog" and "hot_dog" all meet.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

# bytes.translate table: A-Z -> a-z, other ASCII non-alphanumerics -> space, >= 0x80 unchanged.
BYTE_TABLE = bytes(
    (b + 32 if 65 <= b <= 90 else b if (48 <= b <= 57 or 97 <= b <= 122 or b >= 128) else 32)
    for b in range(256)
)
_SPACES = re.compile(r" +")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def to_pattern(text: str) -> str:
    """The text in the normalised alphabet, keeping its length (one space per punctuation mark)."""
    return text.encode("utf-8").translate(BYTE_TABLE).decode("utf-8")


def normalise(text: str) -> str:
    """The text in the normalised alphabet, with runs of spaces collapsed and ends stripped."""
    return _SPACES.sub(" ", to_pattern(text)).strip()


def without_parenthesis(name: str) -> str:
    """A display name without its parenthesised qualifier: 'kite (bird of prey)' -> 'kite'."""
    return _PARENTHESIS.sub("", name).strip()


def alternatives(name: str) -> list[str]:
    """The names a display name joins: 'traffic or street sign' -> traffic sign, street sign;
    'cardboard box / carton' -> cardboard box, carton; 'kite (bird of prey)' -> kite."""
    found = []
    for part in without_parenthesis(name).split(" / "):
        options = [o.strip() for o in part.split(" or ") if o.strip()]
        head = options[-1].split(" ")
        for option in options[:-1]:
            # "traffic or street sign": a one-word option shares the last option's head
            found.append(f"{option} {head[-1]}" if " " not in option and len(head) > 1 else option)
        found.extend(options[-1:])
    return [f for f in found if f]


@functools.cache
def irregular_plurals() -> dict[str, tuple[str, ...]]:
    """Singular -> irregular plurals, from WordNet 3.0's noun exception list (geese, mice)."""
    text = resources.files("vlmdata.labels").joinpath("data/noun_plurals.tsv").read_text()
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        plural, _, singular = line.partition("\t")
        if singular:
            table.setdefault(singular, []).append(plural)
    return {singular: tuple(plurals) for singular, plurals in table.items()}


@functools.cache
def irregular_singulars() -> dict[str, tuple[str, ...]]:
    """Irregular plural -> singulars, the inverse of irregular_plurals()."""
    table: dict[str, list[str]] = {}
    for singular, plurals in irregular_plurals().items():
        for plural in plurals:
            table.setdefault(plural, []).append(singular)
    return {plural: tuple(singulars) for plural, singulars in table.items()}


def word_plurals(word: str) -> tuple[str, ...]:
    """Plurals of one lower-case word: irregular ones from WordNet, else the regular rules."""
    if word in irregular_plurals():
        return irregular_plurals()[word]
    if not word.isalpha() or len(word) < 2:
        return ()
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word + "es",)
    if word.endswith("y") and word[-2] not in "aeiou":
        return (word[:-1] + "ies",)
    if word.endswith("man") and len(word) > 4:
        return (word[:-3] + "men", word + "s")
    if word.endswith("o"):
        return (word + "s", word + "es")
    return (word + "s",)


def word_singulars(word: str) -> tuple[str, ...]:
    """Possible singulars of a lower-case word that may be a plural (may include non-words)."""
    found = list(irregular_singulars().get(word, ()))
    rules = (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("ses", "s"), ("xes", "x"))
    rules += (("zes", "z"), ("oes", "o"), ("men", "man"), ("s", ""))
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            found.append(word[: -len(suffix)] + replacement)
    return tuple(dict.fromkeys(found))


def phrase_plurals(phrase: str) -> tuple[str, ...]:
    """Plurals of a normalised phrase, its head inflected: 'coat of mail' -> 'coats of mail'."""
    words = phrase.split(" ")
    head = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    if head < 0:
        return ()
    return tuple(
        " ".join((*words[:head], plural, *words[head + 1 :]))
        for plural in word_plurals(words[head])
    )


def phrase_singulars(phrase: str) -> tuple[str, ...]:
    """Possible singulars of a normalised phrase whose last word may be a plural."""
    words = phrase.split(" ")
    return tuple(" ".join((*words[:-1], single)) for single in word_singulars(words[-1]))
