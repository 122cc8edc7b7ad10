"""Figures, wire copies and the story digest (issue 6): units first, then the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient

from newsdesk.enrich.embed import get_embedder
from newsdesk.enrich.figures import find_figures, parse_value, same_value
from newsdesk.model import Article, Entity
from newsdesk.store import open_store
from newsdesk.stories.digest import digest
from newsdesk.stories.duplicates import fold, is_copy
from webtools import make_app

T0 = datetime(2026, 11, 11, 12, tzinfo=UTC)

WIRE = ("Traders blocked the international bridge at Desaguadero for a third day on Wednesday, "
        "leaving about 1,500 travellers stranded between Peru and Bolivia, officials said. "
        "The blockade began on Monday in protest at a customs rule that requires digital "
        "manifests for cargo above 500 kilograms. Talks in Puno ended without agreement.")


# -- figures --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "lang", "value"), [
    ("1,800", "en", 1800.0), ("1.800", "es", 1800.0), ("1.8", "en", 1.8),
    ("7,5 %", "es", 7.5), ("$4.5 million", "en", 4_500_000.0),
    ("4,5 millones de dólares", "es", 4_500_000.0), ("1.234.567", "en", 1_234_567.0),
])
def test_parse_value_reads_separators_by_language(text, lang, value):
    assert parse_value(text, lang) == pytest.approx(value)


def test_figures_say_what_they_count_and_skip_years_dates_and_ages():
    found = find_figures(
        "Some 1,800 people were stranded on 12 November 2026. Kast has threatened to expel "
        "roughly 330,000 undocumented migrants. A 24-year-old backpacker waited 3 days. "
        "In 2026 the fire burned 2,000 hectares and unemployment rose to 7.5%.", "en")
    got = {(f.value, f.counts) for f in found}
    assert (1800.0, "people") in got
    assert (330000.0, "undocumented migrants") in got
    assert (3.0, "days") in got and (2000.0, "hectares") in got
    assert any(f.unit == "%" and f.value == 7.5 for f in found)
    assert not any(f.value in (2026.0, 12.0, 24.0) for f in found)
    spanish = find_figures("Unas 1.800 personas permanecen varadas y 520 camiones esperan.", "es")
    assert [(f.value, f.counts.split()[0]) for f in spanish] == [(1800.0, "personas"),
                                                                  (520.0, "camiones")]


def test_same_value_allows_rounding_only():
    assert same_value(1_800_000, 1.8e6) and same_value(3.4e6, 3_400_100)
    assert not same_value(1200, 1500)


# -- wire copies ----------------------------------------------------------------------------

def _art(n: int, text: str, source: str, lang: str = "en", hours: int = 0,
         title: str = "") -> Article:
    return Article(id=n, title=title or f"Report {n}", text=text, source=source, lang=lang,
                   published=T0 + timedelta(hours=hours))


def test_wire_copy_is_folded_under_the_first_publication():
    trimmed = WIRE.rsplit(" Talks", 1)[0] + " Local radio reported long queues."
    original = _art(1, WIRE, "Pacific Wire", hours=0)
    copy = _art(2, trimmed, "Coast Daily", hours=3, title="Bridge blockade strands 1,500")
    own = _art(3, "Bolivia's foreign ministry sent a consular team to the border town to help "
                  "citizens stranded by the protest, and asked Peru for a humanitarian corridor.",
               "Andes Herald", hours=1)
    assert is_copy(original, copy) and not is_copy(original, own)
    groups = fold([copy, own, original])  # any order in: the earliest becomes the head
    assert [g.article.id for g in groups] == [own.id, original.id]
    head = next(g for g in groups if g.article.id == original.id)
    assert [c.id for c in head.copies] == [copy.id] and head.outlets == ["Coast Daily"]


def test_translations_and_headline_only_entries_are_not_copies():
    spanish = _art(2, "Comerciantes bloquearon el puente internacional de Desaguadero por tercer "
                      "día el miércoles y unas 1.500 personas quedaron varadas entre Perú y "
                      "Bolivia, según las autoridades.", "El Altiplano", lang="es")
    assert not is_copy(_art(1, WIRE, "Pacific Wire"), spanish)
    assert not is_copy(_art(3, "Bridge blocked", "A"), _art(4, "Bridge blocked", "B"))


# -- the digest -----------------------------------------------------------------------------

def _story() -> list[Article]:
    """Five reports of one blockade in two languages, one a wire copy; counts disagree."""
    arts = [
        _art(1, WIRE, "Pacific Wire", hours=0),
        _art(2, "More than 1,200 travellers were stranded at the Desaguadero crossing on "
                "Wednesday. Officials counted about 300 cargo trucks on the Peruvian side.",
             "Andes Herald", hours=2),
        _art(3, "Unas 1.800 personas permanecen varadas en Desaguadero. Hay unos 520 camiones "
                "de carga detenidos en ambos lados de la frontera.", "El Altiplano", "es",
             hours=5),
        _art(4, WIRE.rsplit(" Talks", 1)[0], "Coast Daily", hours=6),
        _art(5, "As many as 2,000 people are now stranded in and around the town, where about "
                "400 cargo trucks wait.", "Meridian Post", hours=30),
    ]
    arts[0].key_facts = ["About 1,500 travellers are stranded at Desaguadero."]
    arts[1].key_facts = ["More than 1,200 travellers were stranded at Desaguadero."]
    arts[2].key_facts = ["Unas 1.800 personas permanecen varadas en Desaguadero."]
    arts[4].key_facts = ["The town has become a waiting room."]
    arts[0].entities = [Entity("Desaguadero", "place"), Entity("Puno", "place")]
    arts[2].entities = [Entity("Desaguadero", "place")]
    return arts


def test_digest_groups_figures_across_languages_and_marks_disagreement():
    arts = _story()
    d = digest(arts, get_embedder("use"))
    trucks = next(g for g in d.figures if "truck" in g.counts or "camion" in g.counts)
    assert sorted(r.figure.value for r in trucks.rows) == [300.0, 400.0, 520.0]
    assert trucks.disagree
    assert {r.lang for r in trucks.rows} == {"en", "es"}
    times = [r.published for r in trucks.rows]
    assert times == sorted(times)  # oldest first
    # the blockade rule (500 kg) is reported identically by the wire and its copy: no
    # disagreement; each article gives at most one row per group
    for g in d.figures:
        assert len({r.article_id for r in g.rows}) == len(g.rows)
    # the three English "stranded" facts and the Spanish one gather their outlets
    assert d.facts[0].outlets[0] in {"Pacific Wire", "Andes Herald", "El Altiplano"}
    assert len(d.facts[0].outlets) >= 2


def test_digest_counts_every_outlet_but_folds_the_copy():
    arts = _story()
    d = digest(arts, None)
    assert dict(d.outlets) == {"Pacific Wire": 1, "Andes Herald": 1, "El Altiplano": 1,
                               "Coast Daily": 1, "Meridian Post": 1}
    assert dict(d.langs) == {"en": 4, "es": 1}
    assert d.copies == 1
    assert [f.article.id for f in d.timeline] == [1, 2, 3, 5]
    assert d.timeline[0].outlets == ["Coast Daily"]
    assert d.entities["place"][0] == ("Desaguadero", 2)


def test_digest_headline_is_the_most_central_article():
    arts = _story()[:3]
    for a, v in zip(arts, ([1.0, 0.0, 0.2], [0.7, 0.7, 0.2], [0.0, 1.0, 0.2]), strict=True):
        a.embedding = (np.array(v) / np.linalg.norm(v)).astype(np.float32)  # 2 between 1 and 3
    d = digest(arts, None)
    assert d.lead_id == 2 and d.headline == "Report 2"


# -- pages ----------------------------------------------------------------------------------

@pytest.fixture()
def desk(tmp_path):
    store = open_store(tmp_path / "story.db")
    ids = []
    for a in _story():
        a.id = None
        put = store.put_article(a)
        assert put.id is not None
        ids.append(put.id)
    story = store.link(ids[0], [], 10, new_story_title="Desaguadero blockade")
    for i in ids[1:]:
        store.link(i, [], 10, story_id=story)
    other = store.put_article(Article(title="Lima marathon record", text="A runner won.",
                                      source="Andes Herald", lang="en", section="sport",
                                      published=T0))
    assert other.id is not None and story is not None
    store.link(other.id, [], 10, new_story_title="Lima marathon record")
    with TestClient(make_app(store, embedder="use")) as client:
        yield client, store, story, ids
    store.close()


def test_story_page_shows_summary_facts_figures_and_coverage(desk):
    client, _, story, ids = desk
    page = client.get(f"/story/{story}").text
    main = page[page.index("<main"):page.index("</main>")]
    assert 'class="standfirst"' in main
    assert "Key facts across the coverage" in main
    table = main[main.index('<table class="figures-table">'):main.index("</table>")]
    assert 'class="figure-group disagree"' in table and "outlets differ" in table
    assert "520" in table and "300" in table and "(Spanish)" in table
    timeline = main[main.index('id="timeline-title"'):main.index('id="coverage-title"')]
    assert f'href="/article/{ids[3]}"' not in timeline  # the copy is folded ...
    assert "Also published by Coast Daily" in timeline  # ... and named
    coverage = re.sub(r"<[^>]+>", " ", main[main.index('id="coverage-title"'):])
    assert "Coast Daily" in coverage and "Spanish" in coverage


def test_api_story_and_cli_record_carry_the_digest(desk):
    client, _, story, ids = desk
    s = client.get(f"/api/stories/{story}").json()
    assert s["headline"] and s["summary"] is not None
    assert s["copies"] == {str(ids[0]): [ids[3]]}
    assert any(g["disagree"] for g in s["figures"])
    assert {o["name"] for o in s["outlets"]} >= {"Coast Daily", "El Altiplano"}
    assert s["key_facts"] and all(f["outlets"] for f in s["key_facts"])


def test_front_page_leads_with_story_cards_and_groups_sections(desk):
    client, _, story, ids = desk
    main = client.get("/").text
    cards = main[main.index('class="story-cards"'):main.index("</ul>", main.index("story-cards"))]
    assert f'href="/story/{story}"' in cards
    assert "5 outlets · 5 articles · English, Spanish" in cards
    sport = main[main.index('id="sec-sport"'):]
    assert "Lima marathon record" in sport


def test_front_page_shows_at_most_three_lead_stories(tmp_path):
    store = open_store(tmp_path / "many.db")
    for n in range(6):  # six two-article stories, all recent
        story = None
        for k in range(2):
            put = store.put_article(Article(
                title=f"Story {n} report {k}", text=f"Event number {n} happened.",
                source=f"Outlet {k}", lang="en", published=T0 + timedelta(hours=n)))
            assert put.id is not None
            story = store.link(put.id, [], 10, story_id=story, new_story_title=f"Story {n}")
    with TestClient(make_app(store)) as client:
        main = client.get("/").text
    assert main.count('class="story-card"') == 3
    store.close()


def test_a_story_digest_is_kept_until_that_story_changes(tmp_path):
    """story_digest keeps a story's digest while other articles come and go, and makes it
    again when the story gains an article or one of its articles changes."""
    from newsdesk.stories.digest import story_digest

    store = open_store(tmp_path / "desk.db")
    ids = []
    for a in _story():
        a.url = f"https://news.example/{a.id}"
        a.id = None
        ids.append(store.put_article(a).id)
    story_id = store.link(ids[0], [], keep=5, new_story_title="Blockade")
    for i in ids[1:4]:
        store.link(i, [], keep=5, story_id=story_id)
    story = store.story(story_id)
    first = story_digest(store, story)
    assert [a.id for a in first.articles] == ids[:4] and first.outlets == 4
    assert story_digest(store, story) is first  # kept
    # other writes, by another connection too: an unrelated article, another story's link
    other = open_store(store.url)
    lone = other.put_article(Article(title="Budget vote", text="The council voted.",
                                     url="https://news.example/budget")).id
    other.link(lone, [], keep=5, new_story_title="Budget")
    assert story_digest(store, store.story(story_id)) is first
    # the story gains its fifth report: digested again, with it
    other.link(ids[4], [], keep=5, story_id=story_id)
    grown = story_digest(store, store.story(story_id))
    assert grown is not first and [a.id for a in grown.articles] == ids
    assert grown.outlets == 5
    # one of its articles gets a fuller text: digested again
    fuller = Article(title="Report 2", url="https://news.example/2",
                     text=_story()[1].text + " Later, officials said the queue reached four "
                          "kilometres and that 2,100 travellers had been counted." * 3,
                     content_hash="andes-fuller")
    assert other.put_article(fuller).outcome == "updated"
    again = story_digest(store, store.story(story_id))
    assert again is not grown and "2,100" in next(a.text for a in again.articles
                                                  if a.id == ids[1])
    other.close()
    store.close()
