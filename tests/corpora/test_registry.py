import os
from pathlib import Path

import pytest

from vlmdata.corpora import registry
from vlmdata.corpora.formats import FORMATS
from vlmdata.errors import CorpusNotFound, InputError
from vlmdata.indexing import resolve_source

REQUIRED = {
    "llava_mix",
    "llava_pretrain",
    "llava_instruct_150k",
    "sharegpt4v",
    "coco_captions",
    "cc3m",
    "laion",
}
MIX = "llava_v1_5_mix665k.json"


def touch(path: Path, data: bytes = b"[]") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def fake_snapshot(hub: Path, repo: str, commit: str, files: list[str]) -> Path:
    """The hub cache layout: datasets--ORG--NAME/snapshots/COMMIT/FILE and refs/main."""
    folder = hub / f"datasets--{repo.replace('/', '--')}"
    for name in files:
        touch(folder / "snapshots" / commit / name)
    touch(folder / "refs" / "main", commit.encode())
    return folder / "snapshots" / commit


def test_shipped_definitions(registry_env):
    definitions = {d.name: d for d in registry.known()}
    assert set(definitions) >= REQUIRED
    for definition in definitions.values():
        assert definition.description and definition.layouts
        for layout in definition.layouts:
            assert layout.format in FORMATS and layout.files and layout.download
            if layout.repo:
                assert layout.download.startswith(f"hf download {layout.repo} ")
                assert "--repo-type dataset" in layout.download
    assert definitions["llava_mix"].layouts[0].files == (MIX,)
    assert definitions["coco_captions"].format == "coco"


def test_data_dir_location_and_compressed_copy(registry_env, monkeypatch):
    data = registry_env / "data"
    found_file = touch(data / "LLaVA-Pretrain" / "blip_laion_cc_sbu_558k.json.zst")
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(data))
    found = registry.resolve("llava_pretrain")
    assert found.files == [found_file] and found.format == "llava"
    assert "VLMDATA_DATA_DIR" in found.origin


def test_hugging_face_cache_under_hf_home_and_hf_hub_cache(registry_env, monkeypatch):
    hub = registry_env / "hf_home" / "hub"
    main = fake_snapshot(hub, "liuhaotian/LLaVA-Instruct-150K", "aaa111", [MIX])
    fake_snapshot(hub, "liuhaotian/LLaVA-Instruct-150K", "bbb222", [MIX])
    os.utime(main, (1e9, 1e9))  # older than bbb222
    touch(hub / "datasets--liuhaotian--LLaVA-Instruct-150K" / "refs" / "main", b"aaa111")
    found = registry.resolve("llava_mix")  # the snapshot refs/main names, not the newest
    assert found.files == [main / MIX] and "Hugging Face cache" in found.origin

    elsewhere = registry_env / "elsewhere"
    snapshot = fake_snapshot(
        elsewhere,
        "google-research-datasets/conceptual_captions",
        "c0",
        [
            "unlabeled/train-00000-of-00002.parquet",
            "unlabeled/train-00001-of-00002.parquet",
            "unlabeled/validation-00000-of-00001.parquet",
        ],
    )
    monkeypatch.setenv("HF_HUB_CACHE", str(elsewhere))
    found = registry.resolve("cc3m")
    assert found.format == "parquet"
    assert [p.name for p in found.files] == [
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ]
    assert found.files[0].parent == snapshot / "unlabeled"


def test_data_dir_comes_before_the_cache_and_patterns_stay_in_their_folders(
    registry_env, monkeypatch
):
    fake_snapshot(registry_env / "hf_home" / "hub", "liuhaotian/LLaVA-Instruct-150K", "c", [MIX])
    data = registry_env / "data"
    local = touch(data / MIX)
    touch(data / "some_other_corpus.parquet")
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(data))
    assert registry.resolve("llava_mix").files == [local]
    with pytest.raises(CorpusNotFound):
        registry.resolve("laion")  # '**/*.parquet' is not looked for in the shared folder
    shard = touch(data / "laion" / "part-00000.parquet")
    assert registry.resolve("laion").files == [shard]


def test_cc3m_tsv_layout_in_the_data_dir(registry_env, monkeypatch):
    tsv = touch(registry_env / "data" / "cc3m" / "Train_GCC-training.tsv", b"a cat\thttp://x\n")
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(registry_env / "data"))
    found = registry.resolve("cc3m")
    assert (found.format, found.files) == ("delimited", [tsv])


def test_not_found_says_where_it_looked_and_how_to_get_it(registry_env, monkeypatch):
    data = registry_env / "data"
    data.mkdir()
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(data))
    with pytest.raises(CorpusNotFound) as caught:
        registry.resolve("llava_mix")
    message = str(caught.value)
    hub = registry_env / "hf_home" / "hub" / "datasets--liuhaotian--LLaVA-Instruct-150K"
    for expected in (
        f"Looked for {MIX} in:",
        str(data / "llava_mix"),
        str(data / "LLaVA-Instruct-150K"),
        str(hub),
        f"hf download liuhaotian/LLaVA-Instruct-150K {MIX} --repo-type dataset",
        f"vlmdata index /path/to/{MIX} --name llava_mix",
    ):
        assert expected in message


def test_unknown_name_lists_the_known_corpora(registry_env):
    with pytest.raises(CorpusNotFound, match="not a file, a directory, a glob or a known") as e:
        registry.resolve("no_such_corpus")
    assert "llava_mix" in str(e.value) and "no_such_corpus.toml" in str(e.value)


def test_user_definitions_add_and_replace(registry_env, monkeypatch):
    own = registry_env / "own"
    touch(
        own / "my_captions.toml",
        b"""
description = "captions of our own"
locations = ["mine"]
[[layout]]
format = "delimited"
files = ["captions.tsv"]
download = "rsync server:/captions.tsv ."
""",
    )
    touch(
        registry_env / "config" / "vlmdata" / "corpora" / "laion.toml",
        b"""
description = "our LAION subset"
[[layout]]
format = "parquet"
files = ["subset.parquet"]
download = "rsync server:/subset.parquet ."
""",
    )
    monkeypatch.setenv("VLMDATA_CORPORA_DIR", str(own))
    definitions = {d.name: d for d in registry.known()}
    assert definitions["my_captions"].locations == ("mine",)
    assert definitions["laion"].description == "our LAION subset"

    tsv = touch(registry_env / "data" / "mine" / "captions.tsv", b"a cat\n")
    monkeypatch.setenv("VLMDATA_DATA_DIR", os.pathsep.join(["/nonexistent", str(tsv.parents[1])]))
    assert registry.resolve("my_captions").files == [tsv]


def test_invalid_user_definition_names_its_file(registry_env, monkeypatch):
    bad = touch(registry_env / "own" / "broken.toml", b'[[layout]]\nformat = "xml"\n')
    monkeypatch.setenv("VLMDATA_CORPORA_DIR", str(bad.parent))
    with pytest.raises(InputError, match=f"{bad}: not a valid corpus definition"):
        registry.known()


def test_index_source_resolution_goes_through_the_registry(registry_env, monkeypatch):
    touch(registry_env / "data" / "coco" / "annotations" / "captions_train2017.json", b"{}")
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(registry_env / "data"))
    source = resolve_source("coco_captions")
    assert (source.name, source.format) == ("coco_captions", "coco")
    assert source.files[0].name == "captions_train2017.json"
