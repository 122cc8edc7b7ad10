"""Interface catalogues: extract the messages, update the .po files, check the translations.

    python scripts/i18n.py extract     # messages of the templates and web/*.py: each
                                       # LANG/LC_MESSAGES/newsdesk.po brought in step
    python scripts/i18n.py check       # every message translated in every catalogue (exit 1 if not)
    python scripts/i18n.py init LANG   # a new catalogue for LANG, to translate

(`make i18n` runs extract then check.) Messages are read from the sources themselves: `_()`,
`gettext()`, `ngettext()` and `{% trans %}` in src/newsdesk/web/templates, and `_()`, `gettext()`,
`ngettext()` and `N_()` in src/newsdesk/web/*.py. The running app compiles the .po files itself
(newsdesk.web.locale), so no .mo file is ever written or kept.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "newsdesk" / "web"
TRANSLATIONS = ROOT / "src" / "newsdesk" / "translations"
DOMAIN = "newsdesk"
# the plural rule written into every catalogue: English's and Spanish's (one, other)
PLURALS = {"es": "nplurals=2; plural=(n != 1);", "en": "nplurals=2; plural=(n != 1);"}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"newstyle_gettext": "true", "trim_blocks": "true",
                                 "lstrip_blocks": "true", "silent": "false"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract() -> Catalog:
    """Every message the web interface uses, read from its sources."""
    catalog = Catalog(project="newsdesk", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(WEB), METHODS, options_map=OPTIONS, keywords=KEYWORDS):
        catalog.add(message, None, [(f"src/newsdesk/web/{filename}", lineno)],
                    auto_comments=comments, context=context)
    return catalog


def msgids(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def catalogue_file(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(lang: str) -> Catalog:
    with catalogue_file(lang).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        # no line numbers: the catalogues change only when messages do
        write_po(out, catalog, width=100, sort_output=False, ignore_obsolete=True,
                 include_lineno=False)


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _with_plural_rule(catalog: Catalog, lang: str) -> Catalog:
    rule = PLURALS.get(lang)
    if rule:
        catalog.mime_headers = [*[(k, v) for k, v in catalog.mime_headers
                                  if k.lower() != "plural-forms"], ("Plural-Forms", rule)]
    return catalog


def update() -> None:
    template = extract()
    for lang in languages():
        catalog = load(lang)
        template.creation_date = catalog.creation_date  # no date-only changes to the files
        catalog.update(template, no_fuzzy_matching=True)
        save(_with_plural_rule(catalog, lang), catalogue_file(lang))
    print(f"{len(msgids(template))} messages; catalogues: {', '.join(languages())}")


def init(lang: str) -> None:
    if not re.fullmatch(r"[a-z]{2,3}", lang):
        raise SystemExit(f"init: {lang!r} is not a language code such as 'fr'")
    path = catalogue_file(lang)
    if path.exists():
        raise SystemExit(f"init: {path} exists already")
    catalog = Catalog(locale=lang, domain=DOMAIN, project="newsdesk", charset="utf-8",
                      fuzzy=False)
    catalog.update(extract())
    save(_with_plural_rule(catalog, lang), path)
    print(f"wrote {path}: translate its msgstr lines, then run `make i18n`")


def _strings(message: Message) -> Iterable[str]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _translations(message: Message) -> list[str]:
    strings = message.string
    return list(strings) if isinstance(strings, tuple) else [strings or ""]


def problems(catalog: Catalog, wanted: Catalog) -> list[str]:
    """What is wrong with `catalog` against the messages `wanted` by the sources: a message
    missing, untranslated, fuzzy, or whose placeholders differ from the original's. The
    English catalogue may leave a message untranslated (it is its own translation)."""
    lang = str(catalog.locale)
    found = []
    for message in msgids(wanted):
        have = catalog.get(message.id, message.context)
        label = f"{lang}: {next(iter(_strings(message)))!r}"
        if have is None:
            found.append(f"{label}: missing (run `make i18n`)")
            continue
        if have.fuzzy:
            found.append(f"{label}: marked fuzzy")
        texts = _translations(have)
        if lang == "en" and not any(texts):
            continue
        if len(texts) != (catalog.num_plurals if isinstance(message.id, tuple) else 1) or not all(
                t.strip() for t in texts):
            found.append(f"{label}: not translated")
            continue
        names = {n for s in _strings(message) for n in PLACEHOLDER.findall(s)}
        for text in texts:  # the same placeholders (a plural's count may be left out)
            used = set(PLACEHOLDER.findall(text))
            if not used <= names or (names - {"num"}) - used:
                found.append(f"{label}: placeholders {sorted(names)} but {text!r}")
    return found


def check() -> int:
    wanted = extract()
    found = [p for lang in languages() for p in problems(load(lang), wanted)]
    for line in found:
        print(line)
    print(f"{len(msgids(wanted))} messages, {len(languages())} catalogues, "
          f"{len(found)} problems")
    return 1 if found else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["extract"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["init"] and len(argv) == 2:
        init(argv[1])
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
