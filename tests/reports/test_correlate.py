"""`correlate`: counts joined with accuracy by class id, per model, group and bin."""

from __future__ import annotations

import csv
import json
import shutil

import duckdb
import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from tests.reports.conftest import ACCURACY_DIR, CC3M_MODEL, exact_mentions, fill_index
from vlmdata.accuracy import import_accuracy
from vlmdata.cli import app
from vlmdata.errors import InputError
from vlmdata.reports.correlate import correlate
from vlmdata.reports.stats import partial_spearman

CC12M_MODEL = "backboneRN50_pretrainedcc12m"


@pytest.fixture(scope="module")
def cc3m(cc3m_index, imagenet_accuracy):
    return correlate(
        "cc3m_val", accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"], index=cc3m_index, bootstraps=100
    )


def column(table, name) -> np.ndarray:
    return np.array(table[name].to_pylist(), dtype=float)


def test_frequencies_are_the_index_counts(cc3m, cc3m_index):
    con = duckdb.connect(str(cc3m_index), read_only=True)
    counted = dict(
        con.execute(
            "SELECT class_index, count(DISTINCT text_id) FROM mentions WHERE kept GROUP BY 1"
        ).fetchall()
    )
    con.close()
    rows = cc3m.per_class.to_pylist()
    assert len(rows) == 1000 and {r["group"] for r in rows} == {"all"}
    assert all(r["frequency"] == counted.get(r["class_index"], 0) for r in rows)
    assert sum(1 for r in rows if r["frequency"]) == len(counted)


def test_statistics_are_scipys_on_the_joined_rows(cc3m):
    f, a = column(cc3m.per_class, "frequency"), column(cc3m.per_class, "accuracy")
    (row,) = cc3m.statistics.to_pylist()
    assert row["model"] == CC3M_MODEL and row["classes"] == 1000
    assert row["spearman"] == pytest.approx(stats.spearmanr(f, a).statistic)
    assert row["pearson_log"] == pytest.approx(stats.pearsonr(np.log1p(f), a).statistic)
    assert row["kendall"] == pytest.approx(stats.kendalltau(f, a).statistic)
    assert row["spearman_low"] < row["spearman"] < row["spearman_high"]
    paper = [b for b in cc3m.bins.to_pylist() if b["scheme"] == "paper"]
    assert sum(b["classes"] for b in paper) == 1000
    log = [b for b in cc3m.bins.to_pylist() if b["scheme"] == "log"]
    assert sum(b["classes"] for b in log) == 1000 and log[0]["bin"] == "[0, 1)"


def test_every_counted_corpus_is_used_by_default(cc3m, cc3m_index, imagenet_accuracy):
    again = correlate(
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"], index=cc3m_index, bootstraps=100
    )
    assert again.statistics.equals(cc3m.statistics)
    assert again.settings["corpora"] == ["cc3m_val"]


def test_mentions_as_the_measure(cc3m_index, imagenet_accuracy):
    result = correlate(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
        index=cc3m_index,
        measure="mentions",
        bootstraps=10,
    )
    rows = result.per_class.to_pylist()
    assert all(r["frequency"] == r["mentions"] >= r["texts"] for r in rows)


def test_a_stored_run_gives_the_same_answer(cc3m, cc3m_index, imagenet_accuracy, tmp_path):
    index = tmp_path / "copy.duckdb"
    shutil.copy(cc3m_index, index)
    import_accuracy(imagenet_accuracy, "imagenet", model=CC3M_MODEL, run="rn50", index=index)
    result = correlate("cc3m_val", accuracy=["rn50"], index=index, bootstraps=100)
    assert result.statistics.drop(["run"]).equals(cc3m.statistics.drop(["run"]))
    assert result.statistics["run"].to_pylist() == ["rn50"]


def test_two_models_and_a_covariate(cc3m_index, imagenet_accuracy):
    result = correlate(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}", f"{imagenet_accuracy}#{CC12M_MODEL}"],
        covariate=f"{imagenet_accuracy}#{CC12M_MODEL}",
        index=cc3m_index,
        bootstraps=50,
    )
    assert result.models == [CC3M_MODEL, CC12M_MODEL]
    first = [r for r in result.per_class.to_pylist() if r["model"] == CC3M_MODEL]
    f, a, z = (np.array([r[k] for r in first]) for k in ("frequency", "accuracy", "covariate"))
    row = result.statistics.to_pylist()[0]
    assert row["partial_spearman"] == pytest.approx(partial_spearman(f, a, z))
    assert row["partial_spearman_low"] < row["partial_spearman"] < row["partial_spearman_high"]


@pytest.fixture
def two_corpora(tmp_path, imagenet):
    """Two small corpora with human and gpt turns, and accuracy for the classes they name."""
    index = tmp_path / "small.duckdb"
    first = [
        ("human", "Is that a goldfish?"),
        ("gpt", "Yes, a goldfish next to a tench."),
        ("gpt", "A tench and a goldfish."),
        ("human", "What about the hen?"),
    ]
    second = [("gpt", "One hen, one ostrich."), ("human", "An ostrich? And a tench?")]
    fill_index(index, "first", first, imagenet, exact_mentions(first, imagenet))
    fill_index(index, "second", second, imagenet, exact_mentions(second, imagenet))
    accuracy = tmp_path / "acc.csv"
    accuracy.write_text("class,accuracy\ntench,0.2\ngoldfish,0.9\nhen,0.6\nostrich,0.5\n")
    return index, accuracy


def test_breakdown_by_role_and_by_corpus(two_corpora):
    index, accuracy = two_corpora
    by_role = correlate(accuracy=[str(accuracy)], by="role", index=index, bootstraps=10)
    counts = {(r["group"], r["name"]): r["frequency"] for r in by_role.per_class.to_pylist()}
    assert counts[("all", "goldfish")] == 3 and counts[("gpt", "goldfish")] == 2
    assert counts[("human", "tench")] == 1 and counts[("all", "tench")] == 3
    assert [r["group"] for r in by_role.statistics.to_pylist()] == ["all", "gpt", "human"]
    by_corpus = correlate(accuracy=[str(accuracy)], by="corpus", index=index, bootstraps=10)
    counts = {(r["group"], r["name"]): r["frequency"] for r in by_corpus.per_class.to_pylist()}
    assert counts[("first", "hen")] == 1 and counts[("second", "hen")] == 1
    assert counts[("all", "hen")] == 2 and counts[("second", "goldfish")] == 0


def test_counts_from_a_file_match_the_index(cc3m, cc3m_index, imagenet_accuracy, tmp_path):
    con = duckdb.connect(str(cc3m_index), read_only=True)
    rows = con.execute("SELECT wnid, texts FROM class_counts WHERE corpus = 'cc3m_val'").fetchall()
    con.close()
    path = tmp_path / "counts.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["wnid", "texts"])
        writer.writerows(rows)
        writer.writerows((c.wnid, 0) for c in cc3m_classes_without(rows))
    result = correlate(counts=path, accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"], bootstraps=100)
    assert result.statistics.drop(["run"]).equals(cc3m.statistics.drop(["run"]))
    assert result.settings["corpora"] == []


def cc3m_classes_without(rows):
    from vlmdata.labels import load_label_set

    counted = {wnid for wnid, _ in rows}
    return [c for c in load_label_set("imagenet").classes if c.wnid not in counted]


def test_counts_file_with_a_column_per_role(tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "class_index,texts,texts_human,texts_gpt\n0,5,1,4\n1,2,2,0\n2,0,0,0\n3,9,3,6\n"
    )
    accuracy = tmp_path / "acc.csv"
    accuracy.write_text("class_index,accuracy\n0,0.5\n1,0.4\n2,0.1\n3,0.9\n")
    result = correlate(counts=counts, accuracy=[str(accuracy)], by="role", bootstraps=10)
    frequency = {
        (r["group"], r["class_index"]): r["frequency"] for r in result.per_class.to_pylist()
    }
    assert frequency[("gpt", 3)] == 6 and frequency[("human", 1)] == 2
    assert frequency[("all", 0)] == 5
    assert "classes of imagenet have no count" in " ".join(result.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy": []}, "at least one accuracy"),
        ({"corpus": "nowhere"}, "count-classes nowhere"),
        ({"corpus": "cc3m_val", "counts": "c.csv"}, "either CORPUS"),
        ({"accuracy": ["no_such_run"]}, "no_such_run: neither an accuracy file nor a run"),
        ({"by": "colour"}, "unknown breakdown 'colour'"),
        ({"bootstraps": 0}, "at least 1"),
    ],
)
def test_bad_arguments(cc3m_index, imagenet_accuracy, kwargs, message):
    arguments = {"accuracy": [f"{imagenet_accuracy}#{CC3M_MODEL}"], "index": cc3m_index}
    with pytest.raises(InputError, match=message):
        correlate(**(arguments | kwargs))


def test_a_covariate_must_be_one_model(cc3m_index, imagenet_accuracy):
    with pytest.raises(InputError, match="FILE#MODEL"):
        correlate(
            "cc3m_val",
            accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
            covariate=str(imagenet_accuracy),
            index=cc3m_index,
        )


def test_a_run_of_another_label_set_is_refused(cc3m_index, shared_data, tmp_path):
    index = tmp_path / "copy.duckdb"
    shutil.copy(cc3m_index, index)
    flowers = shared_data.joinpath(*ACCURACY_DIR, "flowers102_class_results.json")
    import_accuracy(flowers, "flowers102", model=CC3M_MODEL, run="fl", index=index)
    with pytest.raises(InputError, match="pass --labels flowers102"):
        correlate("cc3m_val", accuracy=["fl"], index=index)


def test_cli_outputs(cc3m_index, imagenet_accuracy):
    runner = CliRunner()
    base = ["correlate", "cc3m_val", "-a", f"{imagenet_accuracy}#{CC3M_MODEL}"]
    base += ["--index", str(cc3m_index), "--bootstraps", "20"]
    shown = runner.invoke(app, [*base, "--format", "json", "--show", "all"])
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["statistics"][0]["classes"] == 1000 and len(document["classes"]) == 1000
    classes = runner.invoke(app, [*base, "--format", "csv", "--show", "classes"])
    lines = classes.stdout.splitlines()
    assert lines[0].startswith('"group","model","class_index"') and len(lines) == 1001
    table = runner.invoke(app, [*base, "--show", "bins"])
    assert table.exit_code == 0 and "[10, 20)" in table.stdout
    bad = runner.invoke(app, [*base, "--format", "csv", "--show", "all"])
    assert bad.exit_code == 2


def test_no_class_in_common_is_an_error(tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text("class_index,count\n5,10\n")
    accuracy = tmp_path / "acc.csv"
    accuracy.write_text("class_index,accuracy\n6,0.5\n")
    with pytest.raises(InputError, match="no class of imagenet has both a count"):
        correlate(counts=counts, accuracy=[str(accuracy)])
