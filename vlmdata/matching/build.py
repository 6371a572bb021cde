"""Building a lexicon from WordNet 3.0: forms, inflections, variants, senses, blockers and cues.

The steps, for each class: its names and (with a WordNet id) its synset's lemmas, curated extra
names (vlmdata.matching.curated), and the lemmas of every more specific synset (hyponyms,
searched only on request); spelling variants (hyphen, space, joined, and the spaced hyphen of
tokenised text: "t - shirt"); plurals. Then, for each form, whether WordNet ranks another sense
first, or the curated table says that another sense is the usual one (the form then needs
context); longer WordNet terms containing a form but meaning something else become blockers;
each class gets its cue words, and each competing sense too.
"""

from __future__ import annotations

import logging
import time

from vlmdata.labels.forms import alternatives, normalise, phrase_plurals, to_pattern
from vlmdata.labels.model import LabelSet
from vlmdata.matching.cues import cue_words
from vlmdata.matching.curated import (
    CURATED_CUES,
    DROPPED_FORMS,
    EXTRA_FORMS,
    EXTRA_TERMS,
    SENSE_CUES,
    USUAL_SENSES,
)
from vlmdata.matching.lexicon import Entry, Lexicon, display_forms
from vlmdata.matching.wordnet import open_wordnet, synset_of

log = logging.getLogger(__name__)
NUMBER_WORDS = frozenset(
    ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
)
# When two classes share a pattern, only those with its best kind keep it: a WordNet lemma beats
# a display name that is no lemma (the CLIP-style name "sunglasses" of the burning glass).
RANK = {"lemma": 0, "name": 1, "variant": 2, "inflection": 3, "hyponym": 4}


def build_lexicon(label_set: LabelSet) -> Lexicon:
    """The `wordnet`-mode lexicon of a label set, read from WordNet 3.0 (see the module doc)."""
    started = time.perf_counter()
    wordnet = open_wordnet()
    synsets = {c.index: synset_of(c.wnid) for c in label_set.classes if c.wnid}
    forms: dict[str, dict[int, str]] = {}  # pattern -> class -> kind
    bases: dict[str, str] = {}  # pattern -> the lemma it inflects or varies
    names = display_forms(label_set)
    for cls in label_set.classes:
        synset = synsets.get(cls.index)
        dropped = DROPPED_FORMS.get(cls.wnid, ())
        lemmas = [n.replace("_", " ") for n in synset.lemma_names()] if synset else []
        extra = EXTRA_FORMS.get(cls.wnid, ()) if synset else ()
        for name in dict.fromkeys([*names[cls.index], *lemmas, *extra]):
            if name.lower() in dropped:
                continue
            kind = "lemma" if name in lemmas else "name"
            _add_forms(forms, bases, name, cls.index, kind, wordnet)
        for hyponym in synset.closure(lambda s: s.hyponyms()) if synset else ():
            for name in hyponym.lemma_names():
                _add_forms(forms, bases, name.replace("_", " "), cls.index, "hyponym", wordnet)
    # a name that is one of several in a display name ("swim trunks / shorts") is checked too
    checked = {normalise(a) for c in label_set.classes for a in alternatives(c.name)[1:]}
    usual = {i: USUAL_SENSES.get(label_set[i].wnid, {}) for i in synsets}
    entries = _resolve(forms, bases, synsets, wordnet, checked, usual)
    entries += _blockers(forms, synsets, wordnet)
    entries += _extra_blockers(label_set, forms, {e.pattern for e in entries})
    entries.sort(key=lambda e: e.pattern)  # a stable file whatever the order of sets
    cues = {i: cue_words(s, CURATED_CUES.get(label_set[i].wnid, "")) for i, s in synsets.items()}
    sense_cues = _sense_cues(entries, wordnet)
    log.info(
        "lexicon of %s: %d forms, %d blockers, built in %.1f s",
        label_set.name,
        sum(e.kind != "blocker" for e in entries),
        sum(e.kind == "blocker" for e in entries),
        time.perf_counter() - started,
    )
    return Lexicon(label_set.name, "wordnet", entries, cues, sense_cues)


def _sense_cues(entries: list[Entry], wordnet) -> dict[str, frozenset[str]]:
    """Cue words of the competing senses that are weighed against their classes' (those with
    curated words, see vlmdata.matching.curated.SENSE_CUES)."""
    senses = {e.sense[len("other:") :] for e in entries if e.sense and e.kind != "blocker"}
    return {
        name: cue_words(wordnet.synset(name), SENSE_CUES[name])
        for name in sorted(senses.intersection(SENSE_CUES))
    }


def _add(forms, bases, pattern: str, base: str, index: int, kind: str) -> None:
    if not pattern.strip():
        return
    kinds = forms.setdefault(pattern, {})
    if index not in kinds or RANK[kind] < RANK[kinds[index]]:
        kinds[index] = kind
    bases.setdefault(pattern, base)


def _add_forms(forms, bases, name: str, index: int, kind: str, wordnet) -> None:
    """A name, its spelling variants and the plurals of each, as patterns."""
    lowered = name.lower().strip()
    if not lowered:
        return
    spellings = {lowered: kind}
    variant = "hyponym" if kind == "hyponym" else "variant"
    words = normalise(lowered).split(" ")
    if "-" in lowered:
        spellings.setdefault(lowered.replace("-", ""), variant)
        spellings.setdefault(lowered.replace("-", " - "), variant)
    if len(words) == 2 and not wordnet.synsets("".join(words)):
        # "hot dog" -> "hotdog", unless the joined word means something else
        spellings.setdefault("".join(words), variant)
    plural_kind = "hyponym" if kind == "hyponym" else "inflection"
    for spelling, spelling_kind in spellings.items():
        base, pattern = normalise(spelling), to_pattern(spelling)
        _add(forms, bases, pattern, base, index, spelling_kind)
        _add(forms, bases, base, base, index, spelling_kind)
        if base.split(" ")[0] in NUMBER_WORDS:
            continue  # "two-piece" is a bikini, "two pieces" are not
        for plural in {*phrase_plurals(base), *phrase_plurals(pattern)}:
            _add(forms, bases, plural, base, index, plural_kind)


def _resolve(forms, bases, synsets, wordnet, checked: set[str], usual: dict) -> list[Entry]:
    """One entry per pattern: the classes of its best kind, and its sense flag.

    `usual` maps a class to its curated forms that usually mean another sense (see
    vlmdata.matching.curated.USUAL_SENSES); that sense then overrides WordNet's ranking.
    """
    entries = []
    for pattern, kinds in forms.items():
        best = min(RANK[k] for k in kinds.values())
        classes = tuple(sorted(i for i, k in kinds.items() if RANK[k] == best))
        kind = next(kinds[i] for i in classes)
        related = [synsets[i] for i in classes if i in synsets]
        sense = None
        base = bases[pattern]
        curated = next((usual[i][base] for i in classes if base in usual.get(i, {})), None)
        if kind != "hyponym" and curated:
            sense = f"other:{curated}"
        elif kind != "hyponym" and (_is_lemma(base, related) or base in checked):
            sense = other_sense(base, related, wordnet, kind == "inflection")
            sense = sense or _plural_sense(base, related, wordnet, forms)
        entries.append(Entry(pattern, classes, kind, sense))
    return entries


def _is_related(synset, targets) -> bool:
    if synset in targets:
        return True
    ancestors = set(synset.closure(lambda s: s.hypernyms()))
    return any(t in ancestors for t in targets)


def _is_lemma(base: str, targets: list) -> bool:
    """Whether a form is a WordNet lemma of one of the classes (not only a label set's name)."""
    return any(normalise(n.replace("_", " ")) == base for t in targets for n in t.lemma_names())


# Abstract senses that rarely compete with an object's name in image descriptions: `television`
# the broadcasting, `light` the radiation, `racket` the noise (sports, `noun.act`, do compete).
IGNORED_LEXNAMES = frozenset({"noun.communication", "noun.event", "noun.phenomenon"})


def _competes(synset, targets) -> bool:
    """Whether a noun sense not of the class competes with it (see IGNORED_LEXNAMES).

    The plant and the food it gives (`banana`, `broccoli`) count as one thing.
    """
    if synset.instance_hypernyms() or synset.lexname() in IGNORED_LEXNAMES:
        return False
    kinds = {synset.lexname(), *(t.lexname() for t in targets)}
    return kinds != {"noun.plant", "noun.food"}


def other_sense(base: str, targets: list, wordnet, plural: bool = False) -> str | None:
    """`other:<synset>` when WordNet ranks a sense of `base` other than the class first.

    Senses that do not compete (proper names, abstract ones, see _competes) are skipped; an
    adjective or verb sense competes when SemCor counts it more often than the class sense (the
    colour `orange`, to `fly` a kite); adjectives not for plurals.
    """
    lemma = base.replace(" ", "_")
    nouns = wordnet.synsets(lemma, "n")
    first = next((s for s in nouns if _is_related(s, targets) or _competes(s, targets)), None)
    if first is None:
        return None
    if not _is_related(first, targets):
        return f"other:{first.name()}"
    mine = max((_count(s, lemma) for s in nouns if _is_related(s, targets)), default=0)
    # a plural cannot be an adjective, but "flies" and "skis" can be verbs
    others = wordnet.synsets(lemma, "v") + ([] if plural else wordnet.synsets(lemma, "a"))
    for other in others:
        if _count(other, lemma) > mine:
            return f"other:{other.name()}"
    return None


def _plural_sense(base: str, targets: list, wordnet, forms) -> str | None:
    """The other sense of a lemma that is also the plural of another noun: `bars` (parallel
    bars) is the plural of `bar`, whose first sense is the barroom. Singulars that are forms of
    the label set (`sunglass`, another class) are left to their own entries."""
    if " " in base:
        return None
    singulars = [s for s in wordnet._morphy(base, "n") if s != base and s not in forms]
    return next((o for s in singulars if (o := other_sense(s, targets, wordnet, True))), None)


def _count(synset, lemma: str) -> int:
    return sum(x.count() for x in synset.lemmas() if x.name().lower() == lemma.lower())


def _blockers(forms, synsets, wordnet) -> list[Entry]:
    """WordNet multi-word nouns that contain a class form but name something unrelated.

    `tank top` contains `tank`, `orange juice` contains `orange`; found first (longest match),
    they keep the inner form from counting and leave a trace naming the longer term.
    """
    first_words: dict[str, set[str]] = {}
    for pattern, kinds in forms.items():
        if any(k != "hyponym" for k in kinds.values()):
            first_words.setdefault(pattern.split(" ")[0], set()).add(pattern)
    blockers: dict[str, Entry] = {}
    lemmas = [(lemma, "n") for lemma in wordnet.all_lemma_names("n")]
    lemmas += [(lemma, pos) for pos in "ra" for lemma in wordnet.all_lemma_names(pos)]
    for lemma, pos in lemmas:
        if "_" not in lemma and "-" not in lemma:
            continue
        text = normalise(lemma.replace("_", " "))
        if text in forms or (pos != "n" and text in blockers):
            continue
        inner = _inner_classes(text, first_words, forms, idiom=pos != "n")
        if not inner:
            continue
        targets = [synsets[i] for i in inner if i in synsets]
        meanings = wordnet.synsets(lemma, pos)
        if targets and any(_is_related(s, targets) for s in meanings):
            continue
        name = meanings[0].name() if meanings else lemma
        plurals = () if pos != "n" else phrase_plurals(text)  # an idiom is never plural
        for pattern in (text, *plurals):
            if pattern not in forms and (pos == "n" or pattern not in blockers):
                blockers[pattern] = Entry(pattern, tuple(sorted(inner)), "blocker", name)
    return list(blockers.values())


def _extra_blockers(label_set: LabelSet, forms, taken: set[str]) -> list[Entry]:
    """Blockers for the curated terms WordNet lacks (vlmdata.matching.curated.EXTRA_TERMS)."""
    found: dict[str, set[int]] = {}
    names: dict[str, str] = {}
    for cls in label_set.classes:
        for term, name in EXTRA_TERMS.get(cls.wnid, {}).items():
            base = normalise(term)
            for pattern in (base, *phrase_plurals(base)):
                if pattern not in forms and pattern not in taken:
                    found.setdefault(pattern, set()).add(cls.index)
                    names[pattern] = name
    return [Entry(p, tuple(sorted(c)), "blocker", names[p]) for p, c in found.items()]


def _heads(words: list[str]) -> set[int]:
    """Positions of the head words of a noun compound: the last word, the word before `of`
    (`cup of tea`), and the last word of each part joined by `and`/`or` (`bow and arrow`)."""
    heads = {len(words) - 1}
    for position, word in enumerate(words[1:], 1):
        if word in ("of", "and", "or", "in", "on", "with"):
            heads.add(position - 1)
    return heads


def _inner_classes(text: str, first_words, forms, idiom: bool = False) -> set[int]:
    """Classes whose (non-hyponym) forms occur as whole words inside `text`, not as its head.

    A compound whose head is a class form (`computer monitor`, `ski pole`) is a kind of it, so
    it does not block the form. An `idiom` (an adverb or adjective such as `on the fly`) has no
    head: every class form inside it is blocked.
    """
    words = text.split(" ")
    heads = set() if idiom else _heads(words)
    found: set[int] = set()
    for start, word in enumerate(words):
        for pattern in first_words.get(word, ()):
            size = pattern.count(" ") + 1
            if start + size - 1 in heads:
                continue
            if words[start : start + size] == pattern.split(" ") and size < len(words):
                found.update(i for i, k in forms[pattern].items() if k != "hyponym")
    return found
