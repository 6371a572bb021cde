"""API models: an OpenAI-compatible chat endpoint, played by a stub server on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vlmdata.errors import VlmdataError
from vlmdata.scoring import score, summary_of
from vlmdata.scoring.api import ChatClient, RateLimiter, api_settings

PIL = pytest.importorskip("PIL")


def colour_answer(image_url: str) -> str:
    """The stub's 'model': names the class whose colour dominates the image; wrong on blue."""
    from PIL import Image

    data = base64.b64decode(image_url.split(",", 1)[1])
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((1, 1))
    red, green, blue = image.getpixel((0, 0))
    if red > max(green, blue):
        return "This is a tench, a fish."
    if green > max(red, blue):
        return "I see a goldfish."
    return "It looks like a tench or maybe a great white shark."


class Stub(BaseHTTPRequestHandler):
    busy_first = 0  # answer this many requests with 429 first
    requests: list  # (headers, body) of every request

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((dict(self.headers), body))
        if type(self).busy_first > 0:
            type(self).busy_first -= 1
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        if self.headers.get("Authorization") != "Bearer test-key":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"error": "bad key"}')
            return
        content = body["messages"][0]["content"]
        image = next(c["image_url"]["url"] for c in content if c["type"] == "image_url")
        reply = {"choices": [{"message": {"role": "assistant", "content": colour_answer(image)}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint(monkeypatch):
    Stub.requests, Stub.busy_first = [], 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("VLMDATA_API_BASE", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("VLMDATA_API_KEY", "test-key")
    monkeypatch.setenv("VLMDATA_API_RPM", "6000")
    yield Stub
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_an_api_model_is_asked_retried_and_judged(endpoint, image_manifest, index_file, tmp_path):
    output = tmp_path / "api.jsonl"
    table = score("api:stub-vlm", str(image_manifest), "imagenet", output=output, batch_size=4)

    assert len(endpoint.requests) == 9 + 2  # two busy answers were retried
    _, body = endpoint.requests[-1]
    assert body["model"] == "stub-vlm" and body["temperature"] == 0
    assert body["messages"][0]["content"][0]["text"] == "What type of object is in this photo?"
    rows = {r["name"]: r for r in table.to_pylist()}
    assert set(rows) == {"tench", "goldfish", "great white shark"}
    assert rows["tench"]["accuracy"] == 1.0 and rows["goldfish"]["accuracy"] == 1.0
    # "a tench or maybe a great white shark": the shark is named, but after another class
    assert rows["great white shark"]["accuracy"] == 0.0
    assert rows["great white shark"]["accuracy_substring"] == 1.0
    summary = summary_of(table)
    assert summary["accuracy"] == pytest.approx(6 / 9)
    assert summary["accuracy_substring"] == 1.0

    again = score("api:stub-vlm", str(image_manifest), "imagenet", output=output, save=False)
    assert summary_of(again)["scored_now"] == 0 and len(endpoint.requests) == 11


def test_closed_world_questions_list_the_candidates(endpoint, image_manifest, tmp_path):
    score(
        "api:stub-vlm",
        str(image_manifest),
        "imagenet",
        mode="closed",
        k=3,
        output=tmp_path / "closed.jsonl",
        save=False,
    )
    records = [json.loads(line) for line in (tmp_path / "closed.jsonl").read_text().splitlines()]
    texts = [body["messages"][0]["content"][0]["text"] for _, body in endpoint.requests[2:]]
    offered = sorted(", ".join(r["choices"]) for r in records)
    assert sorted(t.split("Choose one from: ")[1].rstrip(".") for t in texts) == offered


def test_a_refused_key_stops_with_the_endpoint_in_the_message(
    endpoint, image_manifest, tmp_path, monkeypatch
):
    monkeypatch.setenv("VLMDATA_API_KEY", "wrong")
    with pytest.raises(VlmdataError, match=r"127\.0\.0\.1.*HTTP 401.*bad key"):
        score("api:stub-vlm", str(image_manifest), "imagenet", output=tmp_path / "x.jsonl")


def test_retries_give_up_after_the_last_try(endpoint, monkeypatch):
    endpoint.busy_first = 10
    settings = api_settings("api:stub-vlm")
    settings.retries, settings.backoff_s = 2, 0.0
    with pytest.raises(VlmdataError, match="HTTP 429 after 3 tries; rerun to resume"):
        ChatClient(settings).ask(b"not used", "question")
    assert len(endpoint.requests) == 3


def test_the_rate_limiter_spaces_calls(monkeypatch):
    clock = {"now": 100.0, "slept": []}
    monkeypatch.setattr("time.monotonic", lambda: clock["now"])
    monkeypatch.setattr("time.sleep", lambda s: clock["slept"].append(s))
    limiter = RateLimiter(requests_per_minute=120)  # one every 0.5 s
    for _ in range(3):
        limiter.wait()
    assert clock["slept"] == [0.5, 1.0]
