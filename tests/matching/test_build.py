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


def test_curated_forms_and_senses_follow_the_wordnet_id(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("n04404412 television\nn02229544 cricket\nn03770439 miniskirt\n")
    lexicon = build_lexicon(load_label_set(path))
    by_pattern = {e.pattern: e for e in lexicon.entries}
    assert by_pattern["tv"].classes == by_pattern["tvs"].classes == (0,)
    assert by_pattern["tv"].sense == "other:television.n.01"  # "tv show", "tv character"
    assert by_pattern["television"].sense is None
    assert by_pattern["crickets"].sense == "other:cricket.n.02"
    assert by_pattern["mini skirt"].classes == (2,) and by_pattern["mini skirt"].sense is None
    assert {"wicket", "team"} <= lexicon.sense_cues["cricket.n.02"]
    assert "insect" in lexicon.cues[1] and "insect" not in lexicon.sense_cues["cricket.n.02"]


def test_spaced_hyphen_variants_keep_the_kind_of_their_name():
    entries = {e.pattern: e for e in lexicon_for(load_label_set("imagenet")).entries}
    assert entries["t   shirt"].kind == "variant" and entries["t   shirts"].kind == "inflection"
    # a hyponym's spellings are hyponyms too: "knee-high" socks count only with --hyponyms
    assert entries["knee   high"].kind == entries["kneehigh"].kind == "hyponym"


def test_lexicon_round_trips_through_json(tmp_path):
    lexicon = lexicon_for(load_label_set("imagenet"))
    path = save_lexicon(lexicon, tmp_path / "imagenet.lexicon.json")
    again = parse_lexicon(path.read_text(), str(path))
    assert again.entries == lexicon.entries and again.cues == lexicon.cues
    assert again.sense_cues == lexicon.sense_cues and "tank.n.02" in again.sense_cues


@pytest.mark.parametrize("name", ["caltech101", "flowers102", "stanford_cars"])
def test_shipped_lexicons_are_what_the_code_builds(name, tmp_path):
    """Rerun scripts/build_lexicons.py after changing the lexicon code, to refresh them."""
    shipped = resources.files("vlmdata.labels").joinpath(f"data/{name}.lexicon.json")
    built = save_lexicon(build_lexicon(load_label_set(name)), tmp_path / "built.json")
    assert json.loads(built.read_text()) == json.loads(shipped.read_text())


def test_corrupt_lexicon_names_its_source():
    with pytest.raises(InputError, match=r"somewhere\.json: not a vlmdata lexicon"):
        parse_lexicon('{"entries": 3}', "somewhere.json")
