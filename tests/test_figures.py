"""Figures: value, unit, what it counts and the sentence, in English and Spanish (issue 7)."""

from __future__ import annotations

import pytest

from newsdesk.enrich.figures import Figure, extract_figures, find_figures, parse_value, same_value


def counts_of(text: str, lang: str) -> list[tuple[float, str, str]]:
    return [(f.value, f.unit, f.counts) for f in find_figures(text, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Kast has threatened to expel roughly 330,000 undocumented migrants.", "en",
         (330_000.0, "", "undocumented migrants")),
        ("The blockade has lasted 103 days.", "en", (103.0, "", "days")),
        ("Some 1,800 people were stranded at the border.", "en", (1800.0, "", "people")),
        ("The storm left 3,000 homes without power.", "en", (3000.0, "", "homes")),
        ("Officials seized 40 tonnes of fuel.", "en", (40.0, "", "tonnes")),
        ("About 2.5 million people lost their jobs.", "en", (2_500_000.0, "", "people")),
        ("Unemployment rose to 7.5% in March.", "en", (7.5, "%", "unemployment")),
        ("Exports fell by 12 per cent.", "en", (12.0, "%", "exports")),
        ("Kast won 58% of voters.", "en", (58.0, "%", "voters")),
        ("The bank approved a $500 million loan.", "en", (500_000_000.0, "$", "loan")),
        ("Hay 1.800 personas varadas en la frontera.", "es", (1800.0, "", "personas varadas")),
        ("Unas 1.800 personas permanecen varadas.", "es", (1800.0, "", "personas varadas")),
        ("Según la OIM, 103 migrantes murieron en la selva.", "es", (103.0, "", "migrantes")),
        ("El Ejército desplegó 2.000 soldados bolivianos.", "es",
         (2000.0, "", "soldados bolivianos")),
        ("YPFB importará 30 millones de litros de diésel.", "es",
         (30_000_000.0, "", "litros")),
        ("El desempleo subió al 7,5%.", "es", (7.5, "%", "desempleo")),
        ("El 40% de los votantes apoyó la reforma.", "es", (40.0, "%", "votantes")),
        ("El banco prestó 200 millones de dólares.", "es", (200_000_000.0, "$", "banco")),
    ],
)
def test_what_each_figure_counts(text: str, lang: str, expected: tuple[float, str, str]) -> None:
    found = counts_of(text, lang)
    assert found[:1] == [expected], found


def test_figure_keeps_text_and_sentence() -> None:
    text = "Talks failed. Some 1,800 people were stranded. Officials said nothing."
    (fig,) = find_figures(text, "en")
    assert fig == Figure(1800.0, "1,800", "", "people", "Some 1,800 people were stranded.")


def test_years_dates_ages_and_bare_numbers_are_not_figures() -> None:
    text = ("In 2026 a 24-year-old was detained on 12 November 2026. He was 3. "
            "El 13 de mayo de 2025 se votará.")
    assert find_figures(text, "en") == []
    assert find_figures("El 13 de mayo de 2025 se votará; en 2024 hubo 3.", "es") == []


def test_a_second_figure_does_not_take_the_first_as_its_noun() -> None:
    found = find_figures("Exports fell by 12 per cent to $4.5bn.", "en")
    assert [(f.text, f.counts) for f in found] == [("12 per cent", "exports"), ("$4.5bn", "")]


def test_month_abbreviation_needs_its_full_stop() -> None:
    # "Mar" starts "María" and "Marcelo": not a date
    assert extract_figures("María Corina Machado y Marcelo Montenegro") == []
    assert [s.text for s in extract_figures("on Mar. 3 and in March")] == ["Mar. 3", "March"]


@pytest.mark.parametrize(("text", "lang", "value"), [
    ("330,000", "en", 330_000.0), ("330.000", "es", 330_000.0), ("1.5", "en", 1.5),
    ("1,5", "es", 1.5), ("3 millones de dólares", "es", 3_000_000.0), ("$1.13bn", "en", 1.13e9),
    ("mil millones", "es", None),
])
def test_parse_value(text: str, lang: str, value: float | None) -> None:
    got = parse_value(text, lang)
    assert got == (pytest.approx(value) if value is not None else None)


def test_same_value() -> None:
    assert same_value(330_000, 330_000.0) and same_value(1.8e6, 1_801_000)
    assert not same_value(103, 105)
