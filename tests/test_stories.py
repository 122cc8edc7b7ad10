"""Streaming story clustering: behaviour on hand-made vectors, and a quality gate on ECB+."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from newsdesk.model import Article
from newsdesk.store import Store
from newsdesk.stories.cluster import choose_story

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def _add(store: Store, vec: np.ndarray, day: int = 1) -> Article:
    a = Article(title=f"t{store.count_articles()}", text="x", embedding=vec,
                published=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=day))
    assert store.put_article(a).outcome == "inserted"
    return a


def _assign(store: Store, a: Article) -> int:
    assert a.id is not None
    story = store.link(a.id, [], 10, story_id=choose_story(store, a, 0.6),
                       new_story_title=a.title)
    assert story is not None
    a.story_id = story
    return story


def test_close_articles_share_a_story_and_far_ones_do_not(store: Store) -> None:
    a = _add(store, _unit([1, 0.05, 0]))
    b = _add(store, _unit([1, 0.1, 0]))
    c = _add(store, _unit([0, 1, 0]))
    sa, sb, sc = _assign(store, a), _assign(store, b), _assign(store, c)
    assert sa == sb != sc
    assert store.story(sa).article_ids == [a.id, b.id]  # type: ignore[union-attr]


def test_time_window_keeps_old_coverage_apart(store: Store) -> None:
    a = _add(store, _unit([1, 0, 0]), day=0)
    b = _add(store, _unit([1, 0.01, 0]), day=30)
    assert _assign(store, a) != _assign(store, b)


def test_ecbplus_quality_gate(shared_data: Path) -> None:
    """B-cubed F1 on the first 10 ECB+ topics (20 events, 2 similar ones per topic).

    Measured 0.81 on the full 772-article file at the default threshold 0.6
    (bench/stories.py); the floor sits a little below the subset's 0.830.
    """
    from stories import bcubed, cluster, load  # bench/stories.py

    from newsdesk.config import Config
    from newsdesk.enrich.embed import embedding_text, get_embedder

    articles, gold, topics = load()
    keep = [i for i, t in enumerate(topics) if int(t) <= 10]
    articles = [articles[i] for i in keep]
    gold = [gold[i] for i in keep]
    vectors = get_embedder("use").embed([embedding_text(a) for a in articles])
    pred = cluster(articles, vectors, Config().story_threshold)
    precision, recall, f1 = bcubed(pred, gold)
    print(f"ECB+ topics 1-10: {len(articles)} articles, B3 P={precision:.3f} R={recall:.3f} "
          f"F1={f1:.3f}")
    assert f1 >= 0.78  # measured 0.830 on this subset


def test_recluster_joins_stories_started_at_the_same_moment(store: Store) -> None:
    """Two workers linking two reports of one event at once each start a story (neither saw
    the other's); re-clustering puts them in one story, the older id, and leaves a different
    event alone."""
    from newsdesk.config import Config
    from newsdesk.pipeline import Pipeline
    from newsdesk.tasks import InlineQueue

    now = datetime.now(UTC)
    texts = [
        ("Dockers strike at Port Verde", "Dock workers at Port Verde walked out on Monday over "
         "night-shift pay; 23 container ships wait offshore."),
        ("Port Verde strike leaves 23 ships waiting", "The strike by Port Verde dock workers "
         "over night-shift pay left 23 container ships waiting offshore on Monday."),
        ("Glacier retreat measured in the Andes", "Researchers measured a record retreat of "
         "the Quelccaya glacier this summer, using drones and satellite images."),
    ]
    made = []
    for n, (title, text) in enumerate(texts):
        a = Article(title=title, text=text, embedding=_unit([1, n, 0]), lang="en",
                    published=now - timedelta(minutes=30 - n))
        assert store.put_article(a).id is not None
        made.append(a)
    for a in made:  # each linked as if alone: the race
        assert a.id is not None
        a.story_id = store.link(a.id, [], 10, new_story_title=a.title)
    assert len({a.story_id for a in made}) == 3
    InlineQueue(Pipeline(store, Config(embedder="hash"))).run("recluster")
    first, second, other = (store.get_article(a.id) for a in made)  # type: ignore[arg-type]
    assert first and second and other
    assert first.story_id == second.story_id == made[0].story_id  # the older story's id
    assert other.story_id == made[2].story_id
    assert len(store.stories(min_articles=2)) == 1


def test_regroup_quality_gate_on_ecbplus(shared_data: Path) -> None:
    """Re-clustering (stories/regroup.py) of the whole ECB+ dev stream against its 66 gold
    events: measured B-cubed F1 0.936, pairwise F1 0.904 (bench/stories.py; the thresholds
    were chosen on this set, the held-out figures are in bench/RESULTS.md)."""
    from stories import bcubed, load, pairwise  # bench/stories.py

    from newsdesk.stories.regroup import Item, regroup

    articles, gold, _topics = load()
    items = [Item(i, f"{a.title}\n{a.text}", None, None, None, "en")
             for i, a in enumerate(articles)]
    pred = regroup(items)
    b3, pair = bcubed(pred, gold), pairwise(pred, gold)
    print(f"regroup on ECB+: B3 P/R/F1 {b3}, pairwise {pair}")
    assert b3[2] >= 0.93 and pair[2] >= 0.90


def test_a_storys_articles_share_its_section_unless_a_publisher_says_otherwise(
        store: Store) -> None:
    """Issue 7: the classifier's sections follow the story's majority; a publisher's own
    section stays."""
    from newsdesk.config import Config
    from newsdesk.pipeline import Pipeline

    now = datetime.now(UTC)
    made = []
    for n, (section, publisher) in enumerate([("world", None), ("world", None),
                                              ("business", None), ("world", None),
                                              ("politics", "Política")]):
        a = Article(title=f"Border blockade report {n}", text="Traders blocked the bridge.",
                    embedding=_unit([1, 0.01 * n, 0]), lang="en", section=section,
                    publisher_section=publisher, published=now - timedelta(hours=n))
        assert store.put_article(a).id is not None
        made.append(a)
    story = None
    for a in made:
        assert a.id is not None
        story = store.link(a.id, [], 10, story_id=story, new_story_title=a.title)
    Pipeline(store, Config(embedder="hash")).align_sections(
        [store.get_article(a.id) for a in made if a.id is not None])  # type: ignore[misc]
    sections = [store.get_article(a.id).section for a in made]  # type: ignore[union-attr, arg-type]
    assert sections == ["world", "world", "world", "world", "politics"]
