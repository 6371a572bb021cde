"""`report`: one self-contained, escaped HTML file, and charts saved as images."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from tests.reports.conftest import CC3M_MODEL, HOSTILE_CLASS, HOSTILE_TEXTS
from vlmdata.cli import app
from vlmdata.reports.charts import charts, save_charts
from vlmdata.reports.correlate import correlate
from vlmdata.reports.html import report, script_json

CHARTS = ("long_tail", "classes_per_bin", "accuracy_vs_frequency", "accuracy_by_bin")


def specs_of(page: str) -> dict:
    found = re.search(r"const specs = (\{.*?\});\n", page, re.DOTALL)
    assert found, "the page holds no chart specifications"
    return json.loads(found.group(1))


def without_the_chart_library(page: str) -> str:
    """The page less the inlined Vega bundle (whose code holds tags of its own)."""
    start = page.index("<script>")
    return page[:start] + page[page.index("</script>", start) :]


@pytest.fixture(scope="module")
def cc3m_page(cc3m_index, imagenet_accuracy, tmp_path_factory) -> str:
    output = tmp_path_factory.mktemp("report") / "report.html"
    path = report(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
        index=cc3m_index,
        output=output,
        bootstraps=100,
    )
    assert path == output
    return path.read_text("utf-8")


def test_the_report_loads_nothing_from_the_network(cc3m_page):
    assert len(re.findall(r"<script\b", cc3m_page)) == 2
    assert not re.search(r"<script[^>]*\bsrc\s*=", cc3m_page)
    assert not re.search(r"<link\b", cc3m_page)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?https?:""", cc3m_page)
    assert "vegaEmbed" in cc3m_page


def test_the_report_has_every_chart_and_section(cc3m_page):
    specs = specs_of(cc3m_page)
    assert list(specs) == list(CHARTS)
    for name in CHARTS:
        assert f'id="chart-{name}"' in cc3m_page
        assert specs[name]["datasets"], name
    scatter = specs["accuracy_vs_frequency"]
    assert len(scatter["datasets"]["classes"]) == 1000
    examples = scatter["datasets"]["examples"]
    assert examples and all("example_1" in e for e in examples)
    tooltips = {t.get("field") for t in scatter["encoding"]["tooltip"]}
    assert {"name", "frequency", "texts", "mentions", "example_1", "example_2"} <= tooltips
    for heading in ("Correlation of frequency", "lowest exposure", "lowest accuracy", "left out"):
        assert heading in cc3m_page
    assert "Hits the matcher dropped" in cc3m_page


def test_corpus_text_and_class_names_are_escaped(hostile, tmp_path):
    index, label_set, accuracy = hostile
    page = report(
        "hostile",
        accuracy=[str(accuracy)],
        labels=label_set,
        index=index,
        output=tmp_path / "r.html",
        bootstraps=20,
    ).read_text("utf-8")
    assert len(re.findall(r"<script\b", page, re.IGNORECASE)) == 2
    ours = without_the_chart_library(page)
    for raw in ("<img", "<iframe", "<b>bold", "</script><", 'title="pwned"'):
        assert raw not in ours
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;colour&gt; word, not the fruit" in page
    texts = json.dumps(specs_of(page), ensure_ascii=False)
    assert HOSTILE_CLASS in texts  # the data is all there, only escaped in the page
    assert "</script>" in texts and HOSTILE_TEXTS[0][1][:10] in texts


def test_script_json_cannot_close_a_script_element():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_a_report_from_a_counts_file(tmp_path, imagenet_accuracy):
    counts = tmp_path / "counts.csv"
    counts.write_text("class_index,count\n" + "".join(f"{i},{i % 37}\n" for i in range(1000)))
    page = report(
        counts=counts,
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
        output=tmp_path / "r.html",
        bootstraps=20,
    ).read_text("utf-8")
    assert "Hits the matcher dropped" not in page
    assert "examples" not in specs_of(page)["accuracy_vs_frequency"]["datasets"]


def test_charts_are_saved_as_svg_and_png(hostile, tmp_path):
    index, label_set, accuracy = hostile
    result = correlate("hostile", accuracy=[str(accuracy)], labels=label_set, index=index)
    written = save_charts(charts(result), tmp_path / "charts")
    assert sorted(p.name for p in written) == sorted(
        f"{name}.{fmt}" for name in CHARTS for fmt in ("svg", "png")
    )
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        else:
            assert ET.parse(path).getroot().tag.endswith("svg")


def test_cli_writes_the_report_and_prints_its_path(hostile, tmp_path):
    index, label_set, accuracy = hostile
    output = tmp_path / "out" / "r.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "hostile",
            "-a",
            str(accuracy),
            "--labels",
            label_set.source,
            "--index",
            str(index),
            "-o",
            str(output),
            "--charts",
            str(tmp_path / "charts"),
            "--chart-format",
            "svg",
            "--bootstraps",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(output) and output.is_file()
    assert sorted(p.suffix for p in (tmp_path / "charts").iterdir()) == [".svg"] * 4


def first_row(page: str, section: str) -> list[str]:
    """The cells of the first data row of the table in a section, as text."""
    start = page.index(f'id="{section}"')
    body = page[page.index("<tbody>", start) :]
    row = body[: body.index("</tr>")]
    cells = re.findall(r"<td>(.*?)</td>", row)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]


def test_the_weakest_classes(cc3m_page, cc3m_index, imagenet_accuracy):
    result = correlate(
        "cc3m_val", accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"], index=cc3m_index, bootstraps=1
    )
    rows = result.per_class.to_pylist()
    never = [r for r in rows if r["frequency"] == 0]
    least = min(never, key=lambda r: (r["accuracy"], r["class_index"]))
    assert first_row(cc3m_page, "lowest-exposure")[:3] == [least["name"], least["wnid"], "0"]
    failed = [r for r in rows if r["accuracy"] == 0]
    most = max(failed, key=lambda r: (r["frequency"], -r["class_index"]))
    cells = first_row(cc3m_page, "lowest-accuracy")
    assert cells[:3] == [most["name"], most["wnid"], f"{most['frequency']:,}"]
    assert f"{len(never):,} of 1,000 classes have a frequency (texts) of 0" in cc3m_page


def test_a_covariate_shows_in_the_summary_and_the_table(cc3m_index, imagenet_accuracy, tmp_path):
    covariate = f"{imagenet_accuracy}#backboneRN50_pretrainedcc12m"
    result = correlate(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
        covariate=covariate,
        index=cc3m_index,
        bootstraps=20,
    )
    page = report(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}"],
        covariate=covariate,
        index=cc3m_index,
        output=tmp_path / "r.html",
        bootstraps=20,
    ).read_text("utf-8")
    partial = result.statistics["partial_spearman"][0].as_py()
    assert "<th>partial Spearman [95%]</th>" in page
    assert f"Holding the covariate's accuracy constant: {partial:.2f} [" in page
