import json
from importlib import resources

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.matching import Matcher, lexicon_for
from vlmdata.matching import wordnet as wordnet_module
from vlmdata.matching.build import build_lexicon
from vlmdata.matching.lexicon import parse_lexicon, save_lexicon
from vlmdata.matching.wordnet import LEXNAMES, lexnames_text, open_wordnet, synset_of


def test_lexnames_are_the_45_standard_files():
    lines = lexnames_text().splitlines()
    assert len(LEXNAMES) == len(lines) == 45
    assert lines[0] == "00\tadj.all\t3"
    assert lines[5] == "05\tnoun.animal\t1"
    assert lines[44] == "44\tadj.ppl\t3"


def test_wordnet_opens_and_is_3_0():
    wordnet = open_wordnet()
    assert wordnet.get_version() == "3.0"
    assert synset_of("n01440764").name() == "tench.n.01"
    assert synset_of("n01440764").lexname() == "noun.animal"
    with pytest.raises(InputError, match=r"not a WordNet 3\.0 id"):
        synset_of("n99999999")


def test_missing_wordnet_says_how_to_get_it(monkeypatch):
    import nltk

    def not_found(resource):
        raise LookupError(resource)

    monkeypatch.setattr(nltk.data, "find", not_found)
    monkeypatch.setattr(wordnet_module, "find_system_wordnet", lambda: None)
    wordnet_module.open_wordnet.cache_clear()
    try:
        with pytest.raises(InputError, match=r"nltk.download\('wordnet'\).*wordnet-base"):
            wordnet_module.open_wordnet()
    finally:
        wordnet_module.open_wordnet.cache_clear()


def test_user_label_set_with_wordnet_ids(tmp_path):
    path = tmp_path / "birds.txt"
    path.write_text("n01855672 goose\nn02012849 crane\nn03126707 crane\n")
    lexicon = build_lexicon(load_label_set(path))
    by_pattern = {e.pattern: e for e in lexicon.entries}
    assert by_pattern["geese"].classes == (0,)
    assert by_pattern["geese"].kind == "inflection"
    assert by_pattern["crane"].classes == (1, 2)
    assert by_pattern["cranes"].classes == (1, 2)
    assert "marsh" in lexicon.cues[1] and "lift" in lexicon.cues[2]  # stems
    matcher = Matcher(load_label_set(path), lexicon)
    assert [m.class_index for m in matcher.find("geese and a crane lifting steel") if m.kept] == [
        0,
        2,
    ]


def test_lexicon_round_trips_through_json(tmp_path):
    lexicon = lexicon_for(load_label_set("caltech101"))
    path = save_lexicon(lexicon, tmp_path / "caltech101.lexicon.json")
    again = parse_lexicon(path.read_text(), str(path))
    assert again.entries == lexicon.entries and again.cues == lexicon.cues


@pytest.mark.parametrize("name", ["caltech101", "flowers102", "stanford_cars"])
def test_shipped_lexicons_are_what_the_code_builds(name, tmp_path):
    """Rerun scripts/build_lexicons.py after changing the lexicon code, to refresh them."""
    shipped = resources.files("vlmdata.labels").joinpath(f"data/{name}.lexicon.json")
    built = save_lexicon(build_lexicon(load_label_set(name)), tmp_path / "built.json")
    assert json.loads(built.read_text()) == json.loads(shipped.read_text())


def test_corrupt_lexicon_names_its_source():
    with pytest.raises(InputError, match=r"somewhere\.json: not a vlmdata lexicon"):
        parse_lexicon('{"entries": 3}', "somewhere.json")
