"""Cue words: the context that speaks for one sense of a doubtful form.

A class's cues are the content words of its WordNet gloss and examples, the lemmas of its
hypernyms (three levels up), of its direct hyponyms and of its parts and wholes, plus a few
curated words (vlmdata.matching.curated). The same recipe gives the cues of a competing sense,
the words that speak against the class. Words are compared by a crude stem (`stem`), the same
on both sides.
"""

from __future__ import annotations

import re

_STOPWORDS = """
    a about above across after again against all almost along also although always am among an
    and another any anything are around as at away back be because been before behind being below
    beside besides between both but by can could did do does doing done down during each either
    else even ever every few for from further had has have having he her here hers him his how i
    if in into is it its itself just kind like made make many may me might more most much must my
    near nearly next no nor not now of off often on once one only onto or other our out over own
    part per perhaps quite rather same several she should since so some something such than that
    the their them then there these they this those though through thus to together too toward
    towards type under until up upon us usually used using very was we well were what when where
    which while who whom whose why will with within without would yet you your various usually
    especially found form large small long short often typically genus family"""
STOPWORDS = frozenset(_STOPWORDS.split())
_WORD = re.compile(r"[a-z]{3,}")

# Words that speak for any class of a WordNet lexicographer file (food is eaten, animals live).
LEXNAME_CUES: dict[str, str] = {
    "noun.food": "eat eating eats food meal delicious taste served dish cooked snack lunch "
    "dinner breakfast bun sauce ketchup mustard tasty fresh",
    "noun.animal": "animal animals wild wildlife zoo pet species fur tail nest habitat prey "
    "feeding",
    "noun.plant": "plant plants flower flowers garden bloom blooming petals leaves grow growing",
}


def stem(word: str) -> str:
    """A crude stem that maps common inflections together: lifts, lifting, lifted -> lift."""
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words_of(text: str) -> list[str]:
    """The lower-case content words of a text, stemmed, without stop words."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def cue_words(synset, curated: str = "") -> frozenset[str]:
    """The stemmed cue words of a class or sense (see the module docstring).

    Words of the synset's own lemmas are left out (a hit would be its own context); curated
    words only when they are a one-word lemma (`computer` stays a cue of `computer mouse`).
    """
    texts = [synset.definition(), *synset.examples()]
    texts.append(LEXNAME_CUES.get(synset.lexname(), ""))
    related = list(synset.closure(lambda s: s.hypernyms(), depth=3))
    related += synset.hyponyms() + synset.part_meronyms() + synset.part_holonyms()
    related += synset.member_holonyms() + synset.substance_meronyms()
    for other in related:
        texts.extend(n.replace("_", " ") for n in other.lemma_names())
    own = {stem(w) for n in synset.lemma_names() for w in n.lower().replace("_", " ").split()}
    forms = {stem(n.lower()) for n in synset.lemma_names() if "_" not in n and "-" not in n}
    found = {w for t in texts for w in words_of(t) if w not in own}
    return frozenset(found.union(w for w in words_of(curated) if w not in forms))
