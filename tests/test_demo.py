import duckdb
from scipy import stats
from typer.testing import CliRunner

from vlmdata.cli import app
from vlmdata.demo import CORPUS, RUN, demo


def test_demo_runs_the_whole_path_and_its_figure_matches_scipy(tmp_path):
    result = demo(tmp_path / "out")
    assert result.records == 15833
    assert result.report.is_file() and result.report.stat().st_size > 10_000
    con = duckdb.connect(str(result.index), read_only=True)
    try:
        rows = con.execute(
            "SELECT coalesce(cc.texts, 0), a.accuracy FROM accuracy a "
            "LEFT JOIN class_counts cc ON cc.class_index = a.class_index "
            "AND cc.label_set = a.label_set AND cc.corpus = ? AND cc.mode = 'wordnet' "
            "WHERE a.run_id = ? ORDER BY a.class_index",
            [CORPUS, RUN],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == result.classes == 1000
    assert sum(1 for texts, _ in rows if texts) == result.classes_mentioned
    expected = stats.spearmanr([r[0] for r in rows], [r[1] for r in rows]).statistic
    assert abs(result.spearman - expected) < 1e-9
    assert 0 < result.spearman < 1


def test_demo_command_prints_the_finding_and_reruns(tmp_path):
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "-o", str(tmp_path)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Spearman" in first.stdout and "report.html" in first.stdout
    again = runner.invoke(app, ["demo", "-o", str(tmp_path)], catch_exceptions=False)
    assert again.exit_code == 0 and "Indexed 15,833" in again.stdout
