"""VLMs behind an OpenAI-compatible chat endpoint (`api:MODEL`), rate-limited and retried.

The endpoint and key come from the environment: VLMDATA_API_BASE (else OPENAI_BASE_URL, else
OpenAI's), VLMDATA_API_KEY (else OPENAI_API_KEY), and VLMDATA_API_RPM, the requests per minute
allowed (60 unless set). Each image is sent as a JPEG data URL with the question as text.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from vlmdata.errors import InputError, VlmdataError
from vlmdata.scoring.batches import iter_batches
from vlmdata.scoring.examples import Example, ExampleSet
from vlmdata.scoring.judge import AnswerJudge
from vlmdata.scoring.outputs import PredictionLog
from vlmdata.scoring.vlm import PromptPlan, answer_record
from vlmdata.scoring.zeroshot import failed_record

log = logging.getLogger(__name__)

API_PREFIX = "api:"
DEFAULT_BASE = "https://api.openai.com/v1"
RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass
class ApiSettings:
    """Where and how to call the endpoint."""

    model: str
    base_url: str
    key: str | None
    requests_per_minute: float = 60.0
    retries: int = 5
    backoff_s: float = 2.0
    timeout_s: float = 120.0
    max_tokens: int = 64


def api_settings(model: str, max_tokens: int = 64) -> ApiSettings:
    """Settings for `api:MODEL` from the environment (see the module docstring)."""
    env = os.environ
    base = env.get("VLMDATA_API_BASE") or env.get("OPENAI_BASE_URL") or DEFAULT_BASE
    key = env.get("VLMDATA_API_KEY") or env.get("OPENAI_API_KEY")
    if not key and base == DEFAULT_BASE:
        raise InputError(f"{model}: set OPENAI_API_KEY (or VLMDATA_API_KEY) to call the API")
    try:
        rpm = float(env.get("VLMDATA_API_RPM", "60"))
    except ValueError as exc:
        raise InputError(
            f"VLMDATA_API_RPM must be a number, got {env['VLMDATA_API_RPM']!r}"
        ) from exc
    name = model.removeprefix(API_PREFIX)
    return ApiSettings(name, base.rstrip("/"), key, rpm, max_tokens=max_tokens)


class RateLimiter:
    """Spaces calls at least 60/rpm seconds apart, across threads."""

    def __init__(self, requests_per_minute: float):
        self.interval = 60.0 / requests_per_minute if requests_per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class ChatClient:
    """Asks one question about one image per request, retrying busy or failing endpoints."""

    def __init__(self, settings: ApiSettings):
        self.settings = settings
        self.url = f"{settings.base_url}/chat/completions"
        self.limiter = RateLimiter(settings.requests_per_minute)

    def ask(self, jpeg: bytes, question: str) -> str:
        """The model's answer text; raises VlmdataError once the retries are spent."""
        image_url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
        body = {
            "model": self.settings.model,
            "temperature": 0,
            "max_tokens": self.settings.max_tokens,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": question},
                        {"type": "image_url", "image_url": {"url": image_url}},
                    ],
                }
            ],
        }
        data = json.dumps(body).encode()
        for attempt in range(self.settings.retries + 1):
            self.limiter.wait()
            try:
                return self._post(data)
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUS:
                    detail = exc.read().decode(errors="replace")[:300]
                    raise VlmdataError(f"{self.url}: HTTP {exc.code}: {detail}") from exc
                problem, wait = f"HTTP {exc.code}", _retry_after(exc)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                problem, wait = str(exc), None
            if attempt == self.settings.retries:
                raise VlmdataError(
                    f"{self.url}: {problem} after {attempt + 1} tries; rerun to resume"
                )
            delay = wait if wait is not None else self.settings.backoff_s * 2**attempt
            log.info("%s: %s, retrying in %.1f s", self.url, problem, delay)
            time.sleep(min(delay, 60.0))
        raise AssertionError("unreachable")

    def _post(self, data: bytes) -> str:
        headers = {"Content-Type": "application/json"}
        if self.settings.key:
            headers["Authorization"] = f"Bearer {self.settings.key}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
            reply = json.loads(response.read())
        try:
            return reply["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise VlmdataError(f"{self.url}: unexpected reply {str(reply)[:300]}") from exc


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class JpegImages:
    """Encodes images as JPEG, the longest side at most `max_side` (in a DataLoader worker)."""

    def __init__(self, max_side: int = 1024):
        self.max_side = max_side

    def __call__(self, images: list, examples: list[Example]) -> list[bytes]:
        encoded = []
        for image in images:
            image.thumbnail((self.max_side, self.max_side))
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=90)
            encoded.append(buffer.getvalue())
        return encoded


def score_api(
    client: ChatClient,
    dataset: ExampleSet,
    predictions: PredictionLog,
    plan: PromptPlan,
    judge: AnswerJudge,
    *,
    batch_size: int,
    workers: int,
    concurrency: int = 4,
) -> int:
    """Ask the endpoint about every image not yet in `predictions`; return the count."""
    label_set = plan.label_set
    todo = [e for e in dataset.examples if e.key not in predictions.done]
    scored = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for batch in iter_batches(todo, dataset.open_image, JpegImages(), batch_size, workers):
            predictions.append([failed_record(e, why, label_set) for e, why in batch.failed])
            if not batch.examples:
                continue
            questions = [plan.question_for(e) for e in batch.examples]
            answers = list(pool.map(client.ask, batch.inputs, questions))
            records = [
                answer_record(example, answer, plan, judge)
                for example, answer in zip(batch.examples, answers, strict=True)
            ]
            predictions.append(records)
            scored += len(records)
    return scored
