import json

from typer.testing import CliRunner

from vlmdata.cli import app
from vlmdata.store import connect

runner = CliRunner()


def fill(index_file):
    con = connect(index_file)
    con.execute(
        "INSERT INTO texts VALUES (1, 1, 'tiny', 0, 'gpt', false, 'Two zebras and a pizza.'), "
        "(2, 1, 'tiny', 1, 'human', false, 'Is the zebra eating?')"
    )
    con.close()


def test_count_classes_prints_the_top_classes(index_file):
    fill(index_file)
    result = runner.invoke(app, ["count-classes", "tiny", "--index", str(index_file), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "imagenet in tiny (wordnet): 2 of 1,000 rows mentioned" in result.stdout
    assert result.stdout.index("zebra") < result.stdout.index("pizza")


def test_count_classes_writes_the_output_file(index_file, tmp_path):
    fill(index_file)
    path = tmp_path / "counts.json"
    args = ["count-classes", "tiny", "--index", str(index_file), "--match", "exact"]
    result = runner.invoke(app, [*args, "--by", "role", "--output", str(path)])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(path.read_text())}
    assert rows["zebra"]["texts"] == 1  # exact: "zebras" is not the name
    assert rows["zebra"]["texts_human"] == 1 and rows["zebra"]["texts_gpt"] == 0


def test_count_classes_errors_are_one_line(index_file):
    fill(index_file)
    result = runner.invoke(
        app, ["count-classes", "tiny", "--index", str(index_file), "--labels", "nope.csv"]
    )
    assert result.exit_code == 1
    assert "Error: nope.csv: no such label set file" in result.output
    result = runner.invoke(
        app, ["count-classes", "tiny", "--index", str(index_file), "--by", "day"]
    )
    assert result.exit_code == 1
    assert "--by must be 'role' or 'corpus'" in result.output
