"""Optional local language model for key facts and the standfirst (off by default).

With the `llm_url` setting (environment NEWSDESK_LLM_URL) pointing at an OpenAI-compatible
server on the user's machine (llama.cpp's server, Ollama, vLLM…), `LLMWriter` asks it for an
article's key facts and standfirst through `POST {url}/v1/chat/completions`. Nothing it writes
is trusted: every key fact must pass the same checks as the extractive ones (grounded: every
number, name and date word is in the article; a complete statement of at most 20 words; no
duplicates), and a standfirst must be 1-3 grounded sentences in the article's language. What
fails is dropped; with fewer than three facts left, or any error, timeout or refusal from the
server, the extractive result stands. The article text sent is cut to MAX_INPUT_CHARS.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx

from ..model import Article
from .compress import MAX_WORDS, is_complete
from .facts import content_words, is_grounded
from .lang import detect_language
from .sentences import split_sentences

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 6_000
MAX_STANDFIRST_CHARS = 600
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")

_FACTS_PROMPT = (
    "List the key facts of the news article below: 3 to 6 lines, one fact per line, each a "
    "short statement of at most 12 words, in the article's language ({lang}). Use only facts "
    "the article states; copy numbers, names and dates exactly. No quotations, no commentary, "
    "no numbering.")
_STANDFIRST_PROMPT = (
    "Write a standfirst for the news article below: 2 or 3 sentences in the article's language "
    "({lang}) saying what happened, where and when. Use only what the article states; copy "
    "numbers, names and dates exactly. Reply with the standfirst only.")


@dataclass
class LLMWriter:
    """Writes key facts and standfirsts with a local model; None means "keep yours"."""

    url: str
    model: str = "local"
    timeout: float = 60.0

    def _ask(self, instruction: str, article: Article) -> str | None:
        endpoint = self.url.rstrip("/")
        if not endpoint.endswith("/v1"):
            endpoint += "/v1"
        text = f"{article.title}\n\n{article.text}"[:MAX_INPUT_CHARS]
        payload = {"model": self.model, "temperature": 0, "max_tokens": 400,
                   "messages": [{"role": "system", "content": instruction},
                                {"role": "user", "content": text}]}
        try:
            response = httpx.post(f"{endpoint}/chat/completions", json=payload,
                                  timeout=self.timeout)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("language model at %s gave no answer: %s", self.url, exc)
            return None
        return content if isinstance(content, str) else None

    def key_facts(self, article: Article) -> list[str] | None:
        """3-6 checked facts, or None to keep the extractive ones."""
        answer = self._ask(_FACTS_PROMPT.format(lang=article.lang or "en"), article)
        if answer is None:
            return None
        source = f"{article.summary}\n{article.text}"
        facts: list[str] = []
        seen: list[set[str]] = []
        for line in answer.splitlines():
            fact = _BULLET.sub("", line).strip().rstrip(".")
            words = content_words(fact)
            if (not fact or len(fact.split()) > MAX_WORDS or not is_complete(fact)
                    or not is_grounded(fact, source) or not words
                    or any(len(words & s) / len(words | s) >= 0.6 for s in seen)):
                continue
            facts.append(fact)
            seen.append(words)
        return facts[:6] if len(facts) >= 3 else None

    def standfirst(self, article: Article) -> str | None:
        """A checked 1-3 sentence standfirst, or None to keep the extractive one."""
        answer = self._ask(_STANDFIRST_PROMPT.format(lang=article.lang or "en"), article)
        if answer is None:
            return None
        text = " ".join(answer.split())
        sentences = split_sentences(text, article.lang)
        if (not 1 <= len(sentences) <= 3 or len(text) > MAX_STANDFIRST_CHARS
                or not all(is_grounded(s, article.text) for s in sentences)):
            return None
        if article.lang and detect_language(text) != article.lang:
            return None
        return text
