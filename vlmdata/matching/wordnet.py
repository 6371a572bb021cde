"""Opening WordNet 3.0 through NLTK: NLTK's own data when installed, else the system dictionary.

Only building a lexicon for a new label set needs WordNet; counting with a shipped lexicon does
not. Debian's `wordnet-base` package installs the WordNet 3.0 database files in
/usr/share/wordnet but not NLTK's `lexnames` file (the 45 lexicographer file names), so that
file is written into a private copy of the directory before NLTK reads it.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from vlmdata.errors import InputError

log = logging.getLogger(__name__)

WORDNET_ENV = "VLMDATA_WORDNET"
SYSTEM_DIRS = ("/usr/share/wordnet", "/usr/local/share/wordnet", "/opt/homebrew/share/wordnet")
NEEDED = ("data.noun", "index.noun", "noun.exc", "data.adj", "index.adj", "data.verb")

# The lexicographer files of WordNet 3.0, numbered as in lexnames(5WN); NLTK reads this list.
LEXNAMES = [
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
]
POS_NUMBER = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}

HOW_TO_GET = (
    'WordNet 3.0 is needed to build a lexicon: run python -c "import nltk; '
    "nltk.download('wordnet')\", or install the system package (Debian/Ubuntu: "
    "apt-get install wordnet-base), or point ${env} at a WordNet 3.0 dict directory"
)


def lexnames_text() -> str:
    """The content of NLTK's `lexnames` file: number, name and part-of-speech number per line."""
    return "".join(
        f"{number:02d}\t{name}\t{POS_NUMBER[name.split('.')[0]]}\n"
        for number, name in enumerate(LEXNAMES)
    )


def find_system_wordnet() -> Path | None:
    """A directory holding the WordNet 3.0 database files, from $VLMDATA_WORDNET or usual places."""
    candidates = [os.environ[WORDNET_ENV]] if os.environ.get(WORDNET_ENV) else []
    for directory in (*candidates, *SYSTEM_DIRS):
        path = Path(directory)
        if all((path / name).is_file() for name in NEEDED):
            return path
    return None


def cache_dir() -> Path:
    """Where a prepared copy of the system WordNet is kept: $XDG_CACHE_HOME/vlmdata/nltk_data."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vlmdata" / "nltk_data"


def _prepare_copy(source: Path, target: Path) -> None:
    """Copy the WordNet database files to `target`, adding `lexnames` (made once, about 30 MB).

    NLTK reads corpora only from its data directories and refuses symbolic links out of them,
    hence a copy rather than links.
    """
    if (target / "lexnames").is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".wordnet-", dir=target.parent))
    for entry in source.iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            shutil.copyfile(entry, staging / entry.name)
    (staging / "lexnames").write_text(lexnames_text())
    try:
        staging.rename(target)
    except OSError:  # another process prepared it first
        shutil.rmtree(staging, ignore_errors=True)


@functools.cache
def open_wordnet():
    """The WordNet 3.0 corpus reader of NLTK (cached), or InputError saying how to get WordNet."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class SystemWordNet(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):
            # Only NLTK's multilingual data needs a mapping; this is WordNet 3.0 itself.
            return None

    try:
        nltk.data.find("corpora/wordnet")
        from nltk.corpus import wordnet
    except LookupError:
        source = find_system_wordnet()
        if source is None:
            raise InputError(HOW_TO_GET.replace("${env}", WORDNET_ENV)) from None
        data_root = cache_dir()
        target = data_root / "wordnet"
        _prepare_copy(source, target)
        if str(data_root) not in nltk.data.path:
            nltk.data.path.append(str(data_root))
        log.info("reading WordNet from %s (a copy of %s)", target, source)
        with warnings.catch_warnings():  # "multilingual functions are not available"
            warnings.simplefilter("ignore", UserWarning)
            wordnet = SystemWordNet(str(target), None)
    if wordnet.get_version() != "3.0":
        raise InputError(f"WordNet {wordnet.get_version()} found, 3.0 is needed")
    return wordnet


def synset_of(wnid: str):
    """The synset of a WordNet id such as `n01440764` (part of speech letter + 8-digit offset)."""
    wordnet = open_wordnet()
    synset = None
    if len(wnid) == 9 and wnid[0] in "nvar" and wnid[1:].isdigit():
        with warnings.catch_warnings():  # NLTK warns, then returns None, for unknown offsets
            warnings.simplefilter("ignore", UserWarning)
            synset = wordnet.synset_from_pos_and_offset(wnid[0], int(wnid[1:]))
    if synset is None:
        raise InputError(f"{wnid!r} is not a WordNet 3.0 id (like n01440764)")
    return synset


def wnid_of(synset) -> str:
    """The WordNet id of a synset: `n` + the 8-digit offset."""
    return f"{synset.pos()[0]}{synset.offset():08d}"
