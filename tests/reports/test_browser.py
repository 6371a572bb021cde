"""The report in a real browser: headless Chromium draws every chart, offline, with no error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from tests.reports.conftest import CC3M_MODEL
from vlmdata.reports.html import report

pytestmark = pytest.mark.browser

CHARTS = ("long_tail", "classes_per_bin", "accuracy_vs_frequency", "accuracy_by_bin")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=20000",
    "--dump-dom",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "headless Chromium is needed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def render(path, tmp_path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console messages Chromium logged."""
    profile = tmp_path / "profile"
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", path.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def chart_markup(dom: str, name: str) -> str:
    """The markup of one chart's element, up to the next chart or heading."""
    start = dom.index(f'id="chart-{name}"')
    ends = [dom.find(mark, start + 1) for mark in ('id="chart-', "<h2")]
    return dom[start : min(e for e in ends if e > 0)]


def check(dom: str, console: list[str]) -> None:
    assert console == []
    for name in CHARTS:
        markup = chart_markup(dom, name)
        assert "<svg" in markup and "role-mark" in markup, f"chart {name} was not drawn"
    errors = re.search(r'<p id="chart-errors"([^>]*)>(.*?)</p>', dom, re.DOTALL)
    assert errors and "hidden" in errors.group(1) and errors.group(2) == ""


def test_every_chart_renders_without_errors(cc3m_index, imagenet_accuracy, tmp_path):
    path = report(
        "cc3m_val",
        accuracy=[f"{imagenet_accuracy}#{CC3M_MODEL}", str(imagenet_accuracy)],
        index=cc3m_index,
        output=tmp_path / "report.html",
        bootstraps=50,
    )
    dom, console = render(path, tmp_path)
    check(dom, console)
    assert "<select" in chart_markup(dom, "accuracy_vs_frequency")  # the model menu


def test_hostile_text_does_not_run(hostile, tmp_path):
    index, label_set, accuracy = hostile
    path = report(
        "hostile",
        accuracy=[str(accuracy)],
        labels=label_set,
        index=index,
        output=tmp_path / "hostile.html",
        bootstraps=20,
    )
    dom, console = render(path, tmp_path)
    check(dom, console)
    elements = Elements()
    elements.feed(dom)
    assert elements.title.startswith("Class frequency and accuracy")
    assert "img" not in elements.tags and "iframe" not in elements.tags
    assert "svg" in elements.tags and "mark" in elements.tags


class Elements(HTMLParser):
    """The element names of a page (script contents are text, not elements) and its title."""

    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
