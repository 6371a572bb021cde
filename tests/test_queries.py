"""The named queries of vlmdata/queries/, each run on a small real index.

Two real LLaVA samples are indexed and their ImageNet classes counted by the matcher; a real
per-class accuracy (CLIP RN50 trained on CC3M) is imported as a run. Each query's answer is
checked against the same facts computed in Python from the index's plain rows.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from vlmdata.accuracy import import_accuracy
from vlmdata.errors import InputError
from vlmdata.indexing import index
from vlmdata.matching.counting import count_classes
from vlmdata.sql import bind, load_query, named_queries, query, sql

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
CHUNK = DATA / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"
EVERY50 = DATA / "corpora" / "llava_instruct_150k_every50th.json"
ACCURACY = DATA / "predictions" / "clip_per_class_accuracy" / "imagenet_class_results.json"
MODEL = "backboneRN50_pretrainedcc3m"
RUN = "rn50-cc3m"
REQUIRED = {
    "top_classes",
    "never_mentioned",
    "class_contexts",
    "dropped_mentions",
    "by_role",
    "accuracy_vs_frequency",
    "corpus_overlap",
}


def read_mentions(path: Path) -> dict[str, list[dict]]:
    """Every mention with its text, role and record id, by corpus, in text order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(
            "SELECT m.corpus, m.text_id, m.class_index, m.surface, m.char_start, m.char_end, "
            "m.kept, m.reason, t.role, t.text, r.record_id FROM mentions m "
            "JOIN texts t ON t.text_id = m.text_id JOIN records r ON r.record_key = t.record_key "
            "ORDER BY m.text_id, m.char_start"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    found = defaultdict(list)
    for row in rows:
        found[row["corpus"]].append(row)
    return found


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """(index path, {corpus: [mention dicts]}) for two corpora counted with imagenet."""
    path = tmp_path_factory.mktemp("queries") / "index.duckdb"
    index(str(CHUNK), name="chunk", index=path)
    index(str(EVERY50), name="every50", index=path)
    for corpus in ("chunk", "every50"):
        count_classes(corpus, "imagenet", "wordnet", index=path)
    import_accuracy(ACCURACY, "imagenet", model=MODEL, run=RUN, index=path)
    return path, read_mentions(path)


def run(indexed, name: str, **params) -> list[dict]:
    path, _ = indexed
    return query(name, index=path, params=params).to_pylist()


def kept_texts(mentions: list[dict]) -> dict[int, set[int]]:
    texts = defaultdict(set)
    for m in mentions:
        if m["kept"]:
            texts[m["class_index"]].add(m["text_id"])
    return texts


def corpus_texts(path, corpus: str) -> int:
    return sql(
        "SELECT count(*) AS n FROM texts WHERE corpus = $c", index=path, params={"c": corpus}
    ).to_pylist()[0]["n"]


def test_the_required_queries_ship_with_a_header():
    queries = {q.name: q for q in named_queries()}
    assert set(queries) >= REQUIRED
    for q in queries.values():
        assert q.summary and q.params, q.name


@pytest.mark.parametrize("named", named_queries(), ids=lambda q: q.name)
def test_declared_parameters_are_the_ones_the_sql_uses(named):
    body = "\n".join(line for line in named.text.splitlines() if not line.startswith("--"))
    used = set(re.findall(r"\$(\w+)", body))
    assert used == {p.name for p in named.params}


def test_top_classes(indexed):
    path, mentions = indexed
    texts = kept_texts(mentions["chunk"])
    counts = Counter(m["class_index"] for m in mentions["chunk"] if m["kept"])
    expected = sorted(texts, key=lambda c: (-len(texts[c]), -counts[c], c))
    rows = run(indexed, "top_classes", corpus="chunk", limit="1000")
    assert len(expected) > 20 and [r["class_index"] for r in rows] == expected
    total = corpus_texts(path, "chunk")
    for r in rows:
        assert r["texts"] == len(texts[r["class_index"]])
        assert r["mentions"] == counts[r["class_index"]]
        assert r["share"] == pytest.approx(r["texts"] / total, abs=1e-6)
    assert len(run(indexed, "top_classes", corpus="chunk")) == 20


def test_never_mentioned(indexed):
    _, mentions = indexed
    kept = set(kept_texts(mentions["chunk"]))
    rows = run(indexed, "never_mentioned", corpus="chunk")
    assert {r["class_index"] for r in rows} == set(range(1000)) - kept
    dropped = defaultdict(Counter)
    for m in mentions["chunk"]:
        if not m["kept"]:
            dropped[m["class_index"]][m["reason"]] += 1
    only_dropped = [r for r in rows if r["dropped"]]
    assert only_dropped
    for r in rows:
        reasons = dropped[r["class_index"]]
        assert r["dropped"] == reasons.total()
        if reasons:
            assert reasons[r["top_reason"]] == max(reasons.values())


def most_mentioned(mentions: list[dict], kept: bool) -> int:
    return Counter(m["class_index"] for m in mentions if m["kept"] == kept).most_common(1)[0][0]


def test_class_contexts_by_wnid_show_text_around_each_mention(indexed):
    path, mentions = indexed
    top = most_mentioned(mentions["chunk"], kept=True)
    wnid = sql(
        "SELECT wnid FROM classes WHERE label_set = 'imagenet' AND class_index = $c",
        index=path,
        params={"c": top},
    ).to_pylist()[0]["wnid"]
    expected = [m for m in mentions["chunk"] if m["class_index"] == top]
    rows = run(indexed, "class_contexts", corpus="chunk", **{"class": wnid}, limit="1000")
    assert len(rows) == len(expected)
    for row, m in zip(rows, expected, strict=True):
        shown = (row["record_id"], row["role"], row["surface"], row["kept"], row["reason"])
        assert shown == (m["record_id"], m["role"], m["surface"], m["kept"], m["reason"])
        flat = re.sub(r"\s+", " ", m["text"])
        assert row["left"] + row["surface"] + row["right"] in flat
        assert len(row["left"]) <= 40 and len(row["right"]) <= 40


def test_class_contexts_by_name_or_index_and_kept_only(indexed):
    path, mentions = indexed
    top = most_mentioned(mentions["chunk"], kept=False)
    name = sql(
        "SELECT name FROM classes WHERE label_set = 'imagenet' AND class_index = $c",
        index=path,
        params={"c": top},
    ).to_pylist()[0]["name"]
    expected = [m for m in mentions["chunk"] if m["class_index"] == top]
    rows = run(indexed, "class_contexts", corpus="chunk", **{"class": name.upper()}, width="5")
    assert {r["class_index"] for r in rows} == {top} and len(rows) == min(50, len(expected))
    assert all(len(r["left"]) <= 5 and len(r["right"]) <= 5 for r in rows)
    kept = run(
        indexed,
        "class_contexts",
        corpus="chunk",
        **{"class": str(top)},
        kept_only="yes",
        limit="1000",
    )
    assert len(kept) == sum(1 for m in expected if m["kept"])
    assert all(r["kept"] and r["reason"] is None for r in kept)


def test_dropped_mentions_group_by_reason_and_class(indexed):
    _, mentions = indexed
    dropped = [m for m in mentions["chunk"] if not m["kept"]]
    groups = Counter((m["reason"], m["class_index"]) for m in dropped)
    rows = run(indexed, "dropped_mentions", corpus="chunk", limit="100000")
    assert {(r["reason"], r["class_index"]): r["mentions"] for r in rows} == dict(groups)
    for r in rows:
        surfaces = {
            m["surface"]
            for m in dropped
            if (m["reason"], m["class_index"]) == (r["reason"], r["class_index"])
        }
        assert any(re.sub(r"\s+", " ", s) in r["example"] for s in surfaces)


def test_by_role(indexed):
    _, mentions = indexed
    per_role = defaultdict(set)
    for m in mentions["chunk"]:
        if m["kept"]:
            per_role[(m["class_index"], m["role"])].add(m["text_id"])
    rows = run(indexed, "by_role", corpus="chunk", limit="1000")
    assert {(r["class_index"], r["role"]): r["texts"] for r in rows} == {
        k: len(v) for k, v in per_role.items()
    }
    shares = defaultdict(float)
    for r in rows:
        shares[r["class_index"]] += r["class_share"]
    assert all(s == pytest.approx(1, abs=1e-3) for s in shares.values())


def test_accuracy_vs_frequency(indexed):
    path, mentions = indexed
    texts = kept_texts(mentions["chunk"])
    stored = sql(
        "SELECT class_index, accuracy FROM accuracy WHERE run_id = $r",
        index=path,
        params={"r": RUN},
    ).to_pylist()
    accuracy = {r["class_index"]: r["accuracy"] for r in stored}
    frequency = {c: len(texts.get(c, ())) for c in accuracy}

    def percent_rank(values: dict) -> dict:
        ordered = sorted(values.values())
        return {k: ordered.index(v) / (len(ordered) - 1) for k, v in values.items()}

    fr, ar = percent_rank(frequency), percent_rank(accuracy)
    rows = run(indexed, "accuracy_vs_frequency", corpus="chunk", run=RUN, limit="5000")
    assert len(rows) == len(accuracy) > 900
    for r in rows:
        assert r["texts"] == frequency[r["class_index"]]
        assert r["gap"] == pytest.approx(ar[r["class_index"]] - fr[r["class_index"]], abs=1e-4)
        assert r["kind"] == ("rare but accurate" if r["gap"] > 0 else "frequent but inaccurate")
    assert [abs(r["gap"]) for r in rows] == sorted((abs(r["gap"]) for r in rows), reverse=True)


def test_corpus_overlap(indexed):
    _, mentions = indexed
    a, b = set(kept_texts(mentions["chunk"])), set(kept_texts(mentions["every50"]))
    rows = run(indexed, "corpus_overlap", corpus_a="chunk", corpus_b="every50", limit="1000")
    presence = {r["class_index"]: r["presence"] for r in rows}
    expected = {c: "both" for c in a & b} | {c: "only a" for c in a - b}
    assert a - b and b - a and presence == expected | {c: "only b" for c in b - a}
    order = [r["presence"] for r in rows]
    assert order == sorted(order, key=["both", "only a", "only b"].index)


def image_names(path: Path) -> Counter:
    if path.suffix == ".jsonl":
        items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    else:
        items = json.loads(path.read_text())
    return Counter(item["image"].rsplit("/", 1)[-1] for item in items if "image" in item)


def test_shared_images_against_the_files(indexed):
    a, b = image_names(CHUNK), image_names(EVERY50)
    rows = run(indexed, "shared_images", corpus_a="chunk", corpus_b="every50", limit="100000")
    shared = set(a) & set(b)
    assert shared and {r["image_name"] for r in rows} == shared
    assert all(
        (r["records_a"], r["records_b"]) == (a[r["image_name"]], b[r["image_name"]]) for r in rows
    )


def test_a_value_with_a_quote_is_bound_not_pasted(indexed, tmp_path):
    path, _ = indexed
    quoted = tmp_path / "quoted.duckdb"
    index(str(CHUNK), name="it's", index=quoted)
    index(str(CHUNK), name="chunk", index=quoted)
    rows = query(
        "shared_images",
        index=quoted,
        params={"corpus_a": "it's", "corpus_b": "chunk", "limit": "1000"},
    ).to_pylist()
    assert len(rows) == len(image_names(CHUNK))
    injected = {"corpus": "chunk' OR '1'='1"}
    assert query("top_classes", index=path, params=injected).num_rows == 0
    assert run(indexed, "top_classes", corpus="chunk")


def test_parameters_are_checked_before_the_query_runs():
    named = load_query("top_classes")
    with pytest.raises(InputError, match="parameter corpus is required"):
        bind(named, {})
    with pytest.raises(InputError, match="unknown parameter colour"):
        bind(named, {"corpus": "x", "colour": "red"})
    with pytest.raises(InputError, match="limit needs an integer, not 'ten'"):
        bind(named, {"corpus": "x", "limit": "ten"})
    assert bind(named, {"corpus": "x"}) == {
        "corpus": "x",
        "label_set": "imagenet",
        "mode": "wordnet",
        "limit": 20,
    }


@pytest.mark.parametrize("name", ["no_such_query", "../sql", "top_classes.sql"])
def test_an_unknown_query_name_lists_the_known_ones(name):
    with pytest.raises(InputError, match=r"known: .*top_classes"):
        load_query(name)


def test_mentions_without(indexed):
    _, mentions = indexed
    pizza, plate = 963, 923
    by_text, text_of = defaultdict(set), {}
    for m in mentions["chunk"]:
        if m["kept"] and m["role"] == "gpt":
            by_text[m["text_id"]].add(m["class_index"])
            text_of[m["text_id"]] = m["text"]
    want = [text_of[t] for t in sorted(by_text) if pizza in by_text[t] and plate not in by_text[t]]
    given = {"class": "pizza", "without": str(plate)}
    rows = run(indexed, "mentions_without", corpus="chunk", role="gpt", **given, limit="10000")
    assert want and [r["text"] for r in rows] == want
    both = [t for t, cs in by_text.items() if {pizza, plate} <= cs]
    assert both, "the sample should have texts naming both, which the query leaves out"
    assert all(r["role"] == "gpt" and re.search("pizza", r["text"], re.I) for r in rows)
