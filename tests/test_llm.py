"""The optional local language model (issue 7): a small OpenAI-protocol server on 127.0.0.1
answers as a model would, and every answer is checked before it replaces our own."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from newsdesk.config import Config
from newsdesk.enrich.llm import LLMWriter
from newsdesk.model import Article
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store

TEXT = ("The Desaguadero bridge between Peru and Bolivia reopened on Friday after a five-day "
        "blockade by traders, officials said. About 1,800 people had been stranded at the "
        "crossing, according to Bolivian police. Peru's trade ministry agreed to raise the "
        "customs threshold to 1,000 kilograms for small traders. Buses began crossing at noon, "
        "and the Kasani crossing near Copacabana returned to normal traffic.")

GOOD_FACTS = ("- The Desaguadero bridge reopened on Friday\n"
              "- About 1,800 people had been stranded at the crossing\n"
              "- Peru raised the customs threshold to 1,000 kilograms\n"
              "- Buses began crossing at noon")
GOOD_STANDFIRST = ("The Desaguadero bridge between Peru and Bolivia reopened on Friday after a "
                   "five-day blockade. About 1,800 people had been stranded.")


class _Model(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with what the test put in `server.answers`."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body))  # type: ignore[attr-defined]
        prompt = body["messages"][0]["content"]
        kind = "facts" if "key facts" in prompt else "standfirst"
        status, content = self.server.answers[kind]  # type: ignore[attr-defined]
        if status != 200:
            self.send_response(status)
            self.end_headers()
            return
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def model() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    server.answers = {"facts": (200, GOOD_FACTS), "standfirst": (200, GOOD_STANDFIRST)}  # type: ignore[attr-defined]
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _import(tmp_path: Path, server: ThreadingHTTPServer, **extra: Any) -> Article:
    store = open_store(tmp_path / "llm.db")
    config = Config(db=str(tmp_path / "llm.db"), embedder="hash", llm_url=_url(server),
                    llm_timeout=5.0)
    line = {"id": "a1", "title": "Desaguadero bridge reopens", "lang": "en", "text": TEXT,
            **extra}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = Pipeline(store, config).import_paths([str(path)])
    assert result.imported == 1 and not result.refused
    stored = store.get_article(result.article_ids[0])
    store.close()
    assert stored is not None
    return stored


def test_checked_answers_replace_our_facts_and_standfirst(tmp_path, model):
    stored = _import(tmp_path, model)
    assert stored.key_facts == ["The Desaguadero bridge reopened on Friday",
                                "About 1,800 people had been stranded at the crossing",
                                "Peru raised the customs threshold to 1,000 kilograms",
                                "Buses began crossing at noon"]
    assert stored.summary == GOOD_STANDFIRST
    path, body = model.requests[0]  # type: ignore[attr-defined]
    assert path == "/v1/chat/completions" and body["model"] == "local"
    assert "Desaguadero" in body["messages"][1]["content"]


def test_invented_numbers_and_names_are_dropped_and_too_few_left_keeps_ours(tmp_path, model):
    model.answers["facts"] = (200, (  # type: ignore[attr-defined]
        "- The bridge reopened after 12 days\n"  # a number the article does not have
        "- President Arce thanked the traders\n"  # a name it does not have
        "- About 1,800 people had been stranded at the crossing\n"
        "- \"We are happy\"\n"))  # a bare quotation
    model.answers["standfirst"] = (200, "El puente de Desaguadero reabrió el viernes.")  # type: ignore[attr-defined]
    stored = _import(tmp_path, model)
    assert "The bridge reopened after 12 days" not in stored.key_facts
    assert not any("Arce" in f for f in stored.key_facts)
    assert len(stored.key_facts) >= 3  # ours: one checked line is not enough to replace them
    assert stored.summary != "El puente de Desaguadero reabrió el viernes."  # wrong language
    assert "Desaguadero" in stored.summary


@pytest.mark.parametrize("status", [500, 404])
def test_a_failing_server_leaves_the_import_and_our_facts_alone(tmp_path, model, status):
    model.answers["facts"] = (status, "")  # type: ignore[attr-defined]
    model.answers["standfirst"] = (status, "")  # type: ignore[attr-defined]
    stored = _import(tmp_path, model)
    assert len(stored.key_facts) >= 3 and stored.summary


def test_an_unreachable_server_is_a_warning_not_an_error(tmp_path):
    writer = LLMWriter("http://127.0.0.1:9", timeout=2.0)  # nothing listens on port 9
    article = Article(title="t", text=TEXT, lang="en")
    assert writer.key_facts(article) is None and writer.standfirst(article) is None


def test_the_publishers_key_facts_are_never_rewritten(tmp_path, model):
    text = TEXT + "\n\nKey facts: Bridge reopened Friday; 1,800 people had been stranded"
    stored = _import(tmp_path, model, text=text)
    assert stored.key_facts == ["Bridge reopened Friday", "1,800 people had been stranded"]
    kinds = ["facts" if "key facts" in b["messages"][0]["content"] else "standfirst"
             for _, b in model.requests]  # type: ignore[attr-defined]
    assert "facts" not in kinds
