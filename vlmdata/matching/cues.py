"""Cue words: the context that speaks for one sense of a doubtful form.

A class's cues are the content words of its WordNet gloss and examples, the lemmas of its
hypernyms (three levels up), of its direct hyponyms and of its parts and wholes, plus a few
curated words for classes whose surface forms are common in image-text corpora with another
meaning. Words are compared by a crude stem (`stem`), the same on both sides.
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

# Context words for classes whose forms often mean something else in image-text corpora; keyed
# by WordNet id so they follow the class, not its name.
CURATED_CUES: dict[str, str] = {
    # computer mouse, monitor
    "n03793489": "computer keyboard laptop desk monitor click wireless cursor scroll desktop pad "
    "mousepad workstation usb",
    "n03782006": "computer keyboard desk desktop display screen workstation mouse laptop "
    "monitors office setup",
    # orange, lemon
    "n07747607": "fruit fruits citrus peel peeled juicy slice slices bowl banana bananas apple "
    "apples lemon lemons eat eating sweet basket tree vitamin produce grocery",
    "n07749582": "fruit fruits citrus slice slices juice sour lime limes orange oranges bowl "
    "peel zest squeeze",
    # kite (the bird), crane (the bird), crane (the machine), tank (the vehicle)
    "n01608432": "bird birds prey raptor hawk falcon eagle perched talons feathers beak wingspan",
    "n02012849": "bird birds wading wader heron stork marsh wetland feathers beak flock pond "
    "lake legs neck wings",
    "n03126707": "construction building site lifting lift lifts heavy tower boom cargo steel "
    "beam beams container port machinery operator skyscraper load",
    "n04389033": "army military soldier soldiers battle war armored turret cannon tracks combat",
    # plate, tea cup, stove, remote control, racket
    "n07579787": "food meal dish served serving dinner lunch breakfast sandwich fork knife eat "
    "eating rice meat vegetables salad pasta pizza cake fries dessert donut cookie chocolate "
    "bread slice cheese fruit",
    "n07930864": "tea coffee drink drinking mug saucer hot milk juice water sip beverage "
    "espresso cappuccino",
    "n04330267": "kitchen cook cooking oven pot pots pan pans burner burners range top "
    "stovetop kettle appliances appliance",
    "n04074963": "control controller controllers wii television tv couch game games video "
    "buttons channel playing gaming",
    "n04039381": "tennis player ball court swing swinging serve hit badminton squash",
    # purse, pier, T-shirt (jersey)
    "n04026417": "handbag bag leather carrying carry shoulder wallet woman holding clutch",
    "n03933933": "boat boats water lake dock harbor sea ocean river fishing wooden shore beach",
    "n03595614": "wearing wear player players team number sports uniform baseball football "
    "soccer basketball hockey shirt shorts",
}

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
    """The stemmed cue words of a class (see the module docstring)."""
    texts = [synset.definition(), *synset.examples(), curated]
    texts.append(LEXNAME_CUES.get(synset.lexname(), ""))
    related = list(synset.closure(lambda s: s.hypernyms(), depth=3))
    related += synset.hyponyms() + synset.part_meronyms() + synset.part_holonyms()
    related += synset.member_holonyms() + synset.substance_meronyms()
    for other in related:
        texts.extend(n.replace("_", " ") for n in other.lemma_names())
    own = {stem(w) for n in synset.lemma_names() for w in n.lower().replace("_", " ").split()}
    return frozenset(w for t in texts for w in words_of(t) if w not in own)
