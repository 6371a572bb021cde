"""Index the LLaVA-Instruct-150K sample and print time, throughput and peak memory.

    python benchmarks/index_llava.py [PATH] [--repeat N]

Each run indexes into a fresh file in a child process, so peak RSS is that of the run alone.
For scale it also times DuckDB's own JSON reader (schema given) making a table of turns from the
same file: that reader cannot keep a malformed record, ours does, and the ratio shows the cost.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "corpora"
    / ("llava_instruct_150k.json.zst")
)

OURS = """
import sys, time
from vlmdata.indexing import index
t = time.perf_counter()
s = index(sys.argv[1], index=sys.argv[2])
import resource
print(time.perf_counter() - t, s.records, s.texts, s.rejects,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

DUCKDB = """
import sys, time, duckdb
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute('SET enable_progress_bar = false')
con.execute('''CREATE TABLE turns AS SELECT id, image, unnest(conversations, recursive := true)
FROM read_json(?, format='array', columns={'id': 'VARCHAR', 'image': 'VARCHAR',
'conversations': 'STRUCT("from" VARCHAR, value VARCHAR)[]'})''', [sys.argv[1]])
n = con.execute('SELECT count(*) FROM turns').fetchall()[0][0]
import resource
print(time.perf_counter() - t, 0, n, 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(code: str, source: Path) -> tuple[float, list[str], float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", code, str(source), str(Path(tmp) / "i.duckdb")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    return float(out[0]), out[1:4], int(out[4]) / 1024


def decompressed_mb(source: Path) -> float:
    from vlmdata.corpora.base import open_binary

    size = 0
    with open_binary(source) as f:
        while chunk := f.read(1 << 22):
            size += len(chunk)
    return size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mb = decompressed_mb(args.path)
    print(f"{args.path.name}: {mb:.0f} MB of JSON once decompressed")
    best = {}
    for label, code in (("vlmdata index", OURS), ("duckdb read_json", DUCKDB)):
        times = []
        for _ in range(args.repeat):
            seconds, counts, peak = run(code, args.path)
            times.append(seconds)
        best[label] = min(times)
        print(
            f"{label:17s} best {best[label]:.2f} s of {args.repeat} "
            f"(median {sorted(times)[len(times) // 2]:.2f}); peak RSS {peak:.0f} MB; "
            f"records/texts/rejects {' / '.join(counts)}"
        )
        if label == "vlmdata index":
            records = int(counts[0])
            print(f"{'':17s} {records / best[label]:,.0f} records/s, {mb / best[label]:.0f} MB/s")
    print(
        f"ratio vlmdata / duckdb read_json: {best['vlmdata index'] / best['duckdb read_json']:.2f}"
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
