"""How fast is `count-classes`, against the paper's method on the same corpus?

    python benchmarks/count_classes.py [--corpus PATH] [--index FILE] [--sample 20000]

1. Indexes the corpus (default: the LLaVA-Instruct-150K sample in ../shared/data/corpora/) into
   a fresh index, timed; falls back to filling table `texts` with orjson when vlmdata.indexing
   is not available.
2. Counts the ImageNet classes in both modes, timed, and prints how many classes have at least
   one mention, and the classes whose counts change most between the modes.
3. Re-implements the paper's counting (NLTK word_tokenize of each lower-cased text, then a scan
   of the 1,000 names as token sequences) on a sample of the texts, and reports our speed as a
   ratio to it (turns per second).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT / ".." / "shared" / "data" / "corpora" / "llava_instruct_150k.json.zst"


def build_index(corpus: Path, index: Path) -> tuple[str, float]:
    """Index the corpus; returns its name and the seconds taken."""
    started = time.perf_counter()
    try:
        from vlmdata.indexing import index as index_corpus
    except ImportError:
        return fill_texts(corpus, index), time.perf_counter() - started
    summary = index_corpus(str(corpus), index=str(index))
    return summary.corpus, time.perf_counter() - started


def fill_texts(corpus: Path, index: Path) -> str:
    """Table `texts` filled straight from a LLaVA JSON file (when indexing is unavailable)."""
    import orjson
    import pyarrow as pa
    import zstandard

    from vlmdata.store import connect

    data = corpus.read_bytes()
    if corpus.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    rows = {k: [] for k in ("text_id", "record_key", "turn", "role", "text")}
    for key, record in enumerate(orjson.loads(data)):
        for turn, message in enumerate(record["conversations"]):
            rows["text_id"].append(len(rows["text_id"]))
            rows["record_key"].append(key)
            rows["turn"].append(turn)
            rows["role"].append(message["from"])
            rows["text"].append(message["value"].replace("<image>", "").strip())
    table = pa.table(rows)
    con = connect(index)
    con.register("new_texts", table)
    con.execute(
        "INSERT INTO texts SELECT text_id, record_key, 'benchmark', turn, role, false, text "
        "FROM new_texts"
    )
    con.close()
    return "benchmark"


def paper_count(texts: list[str], names: list[str]) -> dict[int, int]:
    """The paper's rule: texts whose NLTK tokens contain a class name's tokens in a row."""
    from nltk.tokenize import TreebankWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    # word_tokenize() = punkt sentences + Treebank words; punkt's English model cannot be
    # downloaded here, so an untrained punkt splitter stands in (same cost, near-same splits)
    sentences, words = PunktSentenceTokenizer(), TreebankWordTokenizer()
    patterns = [" " + " ".join(words.tokenize(name.lower())) + " " for name in names]
    counts: dict[int, int] = {}
    for text in texts:
        tokens = [t for s in sentences.tokenize(text.lower()) for t in words.tokenize(s)]
        joined = " " + " ".join(tokens) + " "
        for index, pattern in enumerate(patterns):  # one scan per name, as the paper's code
            if pattern in joined:
                counts[index] = counts.get(index, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, help="an index to reuse (else a fresh one)")
    parser.add_argument("--sample", type=int, default=20_000, help="texts for the paper's rule")
    args = parser.parse_args(argv)

    import duckdb

    from vlmdata.labels import load_label_set
    from vlmdata.matching import count_classes

    workdir = Path(tempfile.mkdtemp(prefix="vlmdata-bench-"))
    index = args.index or workdir / "index.duckdb"
    if args.index and args.index.exists():
        con = duckdb.connect(str(index), read_only=True)
        corpus = con.execute("SELECT corpus FROM texts LIMIT 1").fetchall()[0][0]
        con.close()
        print(f"reusing {index} (corpus {corpus})")
        index_seconds = None
    else:
        corpus, index_seconds = build_index(args.corpus, index)
        print(f"index {args.corpus.name}: {index_seconds:.1f} s")

    con = duckdb.connect(str(index), read_only=True)
    texts = [
        r[0] for r in con.execute("SELECT text FROM texts WHERE corpus = ?", [corpus]).fetchall()
    ]
    con.close()
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts):,} turns, {megabytes:.0f} MB of text")

    tables, seconds = {}, {}
    for mode in ("wordnet", "exact"):
        started = time.perf_counter()
        tables[mode] = count_classes(corpus, match=mode, index=str(index))
        seconds[mode] = time.perf_counter() - started
        mentioned = sum(1 for t in tables[mode].column("texts").to_pylist() if t > 0)
        rate = len(texts) / seconds[mode]
        print(
            f"count-classes --match {mode}: {seconds[mode]:.2f} s ({rate:,.0f} turns/s), "
            f"{mentioned} of 1,000 classes mentioned at least once"
        )
    if index_seconds is not None:
        print(f"index + count (wordnet): {index_seconds + seconds['wordnet']:.1f} s")

    names = [c.name for c in load_label_set("imagenet").classes]
    sample = random.Random(0).sample(texts, min(args.sample, len(texts)))
    started = time.perf_counter()
    paper_count(sample, names)
    paper_rate = len(sample) / (time.perf_counter() - started)
    print(
        f"paper's rule on {len(sample):,} turns: {paper_rate:,.0f} turns/s, so about "
        f"{len(texts) / paper_rate / 60:.0f} min for the corpus"
    )
    for mode in ("wordnet", "exact"):
        ratio = (len(texts) / seconds[mode]) / paper_rate
        print(f"speed-up of count-classes --match {mode}: {ratio:,.0f}x")

    exact = {r["class_index"]: r["texts"] for r in tables["exact"].to_pylist()}
    rows = tables["wordnet"].to_pylist()
    change = sorted(rows, key=lambda r: -abs(r["texts"] - exact[r["class_index"]]))[:20]
    print("\nclasses whose text counts change most (wordnet vs exact):")
    for r in change:
        print(
            f"  {r['class_index']:4d} {r['wnid']} {r['name'][:28]:28s} "
            f"{exact[r['class_index']]:7,d} -> {r['texts']:7,d}"
        )


if __name__ == "__main__":
    main()
