"""The `vlmdata score` command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from vlmdata.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_importing_predictions_prints_classes_and_the_overall_accuracy(shared_data, index_file):
    path = shared_data / "predictions" / "stanford_cars" / "cars_clip_vitl14_336.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    expected = sum(r["label"] == r["pred"] for r in records) / len(records)

    result = invoke(
        "score", "--predictions", str(path), "--labels", "stanford_cars", "--format", "json"
    )

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 196 and sum(r["n"] for r in rows) == len(records)
    assert f"{len(records):,} images, accuracy {expected:.1%}" in result.stderr
    assert "cars_clip_vitl14_336.imported" in result.stderr


def test_errors_are_one_line_with_the_fix(tmp_path, index_file):
    result = invoke("score", "--labels", "imagenet")
    assert result.exit_code == 1
    assert "Error: score needs --model and --dataset (or --predictions FILE)" in result.stderr
    missing = invoke("score", "--model", "openclip:ViT-B-32", "--dataset", str(tmp_path / "x"))
    assert missing.exit_code == 1
    assert "no such dataset" in missing.stderr
    mode = invoke("score", "--model", "openclip:ViT-B-32", "--dataset", "d", "--mode", "open")
    assert "use --mode zeroshot" in mode.stderr


@pytest.mark.torch
def test_scoring_a_tiny_model_from_the_command_line(
    tiny_hf_clip, image_manifest, index_file, tmp_path
):
    output = tmp_path / "cli.jsonl"
    args = [
        "score",
        "--model",
        f"hf:{tiny_hf_clip}",
        "--dataset",
        str(image_manifest),
        "--batch-size",
        "4",
        "--output",
        str(output),
        "--format",
        "csv",
    ]

    result = invoke(*args)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith('"class_index","wnid","name","n"')
    assert len(result.stdout.splitlines()) == 1 + 3
    assert len(output.read_text().splitlines()) == 9
    assert f"predictions in {output}" in result.stderr
