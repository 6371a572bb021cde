import json
import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from vlmdata.cli import app

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_and_a_readme_example():
    readme = README.read_text()
    for name in command_names():
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        group = typer.main.get_command(app)
        assert group.commands[name].help, f"{name} has no help text"
        assert re.search(rf"vlmdata {re.escape(name)}\b", readme), f"README lacks 'vlmdata {name}'"


def test_index_then_corpora_and_stats(shared_data, index_file):
    path = shared_data / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"
    result = invoke("index", str(path), "--name", "chunk0")
    assert result.exit_code == 0, result.output
    assert "records read 500 = indexed 500 + rejected 0" in result.output
    listed = invoke("corpora", "--format", "json")
    row = json.loads(listed.stdout.splitlines()[0])
    assert (row["name"], row["records"], row["texts"]) == ("chunk0", 500, 4510)
    assert "human" in invoke("stats", "chunk0", "--format", "csv").stdout


def test_rejects_are_summarised_per_reason(tmp_path, index_file):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": 1, "conversations": [{"from": "human", "value": "hi"}]}\n{"id": 2}\n')
    result = invoke("index", str(path))
    assert result.exit_code == 0
    assert "records read 2 = indexed 1 + rejected 1" in result.output
    assert "rejected 1: missing_field" in result.output


def test_a_truncated_file_exits_1_with_file_and_offset(tmp_path, index_file):
    path = tmp_path / "t.json"
    path.write_text('[{"id": "a", "conversations": [{"from": "human", "value": "o')
    result = invoke("index", str(path))
    assert result.exit_code == 1
    assert "t.json at byte" in result.output and "Traceback" not in result.output


def test_missing_file_is_one_line_and_exit_1(tmp_path, index_file):
    result = invoke("index", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "Traceback" not in result.output


def test_unknown_corpus_in_stats_exits_1(shared_data, index_file):
    invoke("index", str(shared_data / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"))
    result = invoke("stats", "nothing")
    assert result.exit_code == 1 and "no corpus 'nothing'" in result.output
