"""Sentence compression for key facts: a sentence made short by deleting, never by adding.

`compress(sentence, lang)` returns the sentence's core statement or None when no complete
statement of a fact-box length is left. Rules, in order (English and Spanish):

1. Openers go: a leading adverbial before a comma ("On the Peruvian side, ", "However, ",
   "Por su parte, "), a dateline.
2. Attribution goes: a trailing ", officials reported" / ", he said on Tuesday" /
   ", according to police" / ", según la policía"; a leading "The minister said (that)" or
   "El ministro dijo que", whose subject replaces a pronoun that then opens the statement
   ("the interim president said he intended to…" -> "The interim president intended to…").
3. Asides go: comma-bounded relative clauses (", who…,", ", que…,"), appositives after a name
   (", a 59-year-old former MP,"), parentheses, trailing participle and "a move that" tails
   (", underscoring…", ", a move that could…").
4. A restrictive relative clause right after a short subject goes when the main verb can be
   found after it ("Dozens of migrants who say they are leaving … are stranded at the border"
   -> "Dozens of migrants are stranded at the border").
5. When still over MAX_WORDS, the statement is cut before a subordinate tail (" because ",
   " to prevent", " if ", " after ", " amid ", ", including", " porque ", " para "…), keeping the
   longest complete prefix that fits.

Every result passes `is_complete`: balanced quotes and brackets, no dangling last word (an
article, a preposition, a conjunction), no lower-case connective at the start, no bare
quotation. Deleting words keeps every name, number and date in the source, so compressed facts
stay grounded (facts.is_grounded checks it anyway).
"""

from __future__ import annotations

import re

MAX_WORDS = 20
TARGET_WORDS = 14  # tails are cut until the statement is about this short
MIN_WORDS = 4

_REPORT_EN = (r"said|says|told\s+\w+(?:\s+\w+)?|reported|reports|announced|confirmed|added|"
              r"warned|stated|noted|explained|insisted|acknowledged|wrote|tweeted|posted")
_REPORT_ES = (r"dijo|dice|informó|informa|señaló|señala|explicó|afirmó|aseguró|indicó|"
              r"advirtió|anunció|confirmó|añadió|agregó|sostuvo|declaró|reconoció|precisó|"
              r"detalló|destacó|publicó|escribió")
_WHEN = (r"(?:\s+(?:on|last|this|in|at|late|early|en|el|este|esta|por)\s+[\w-]+"
         r"(?:\s+[\w-]+)?)?")
_TRAILING_ATTRIBUTION = re.compile(
    rf"(?<!\d),\s+(?:according\s+to\s+[^,;]+|según\s+[^,;]+|"
    rf"[^,;\"“”«»]{{0,70}}?\b(?:{_REPORT_EN}|{_REPORT_ES}){_WHEN}"
    rf"(?:\s+(?:in|on|to|a|en|por)\s+[^,;]{{0,40}})?)\s*[.!]?$",
    re.IGNORECASE)
_LEADING_ATTRIBUTION = re.compile(
    rf"^(?P<who>[^,;\"“”«»]{{2,80}}?)\s+(?:{_REPORT_EN}|{_REPORT_ES}){_WHEN}"
    rf"(?:\s+(?:on|in|en|por)\s+(?:a\s+|an\s+|the\s+|las?\s+|los\s+|el\s+|un\s+|una\s+)?"
    rf"(?:statement|social media|interview|message|video|post|radio|television|comunicado|"
    rf"redes sociales|entrevista|mensaje|conferencia de prensa)\w*)?"
    rf"\s+(?:that\s+|que\s+)?(?P<rest>.+)$",
    re.IGNORECASE)
_LEADING_ACCORDING = re.compile(r"^(?:according\s+to|según)\s+[^,]{2,80},\s*", re.IGNORECASE)
_OPENER = re.compile(
    r"^(?:(?:on|in|at|during|after|before|for|with|by|under|over|since|from)\s[^,]{2,45}|"
    r"however|meanwhile|moreover|still|also|yet|instead|separately|earlier|later|now|"
    r"in addition|as a result|on the other hand|por su parte|sin embargo|además|mientras tanto|"
    r"asimismo|en tanto|por otro lado|(?:en|durante|tras|desde|según|con)\s[^,]{2,45})\s*,\s+",
    re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:he|she|they|it|él|ella|ellos|ellas)\s+", re.IGNORECASE)
_NONRESTRICTIVE = re.compile(
    r",\s+(?:who|which|whose|where|whom|quien|quienes|que|donde|cuyo|cuya|el cual|la cual)"
    r"\s[^,;]{2,120}?,", re.IGNORECASE)
_APPOSITIVE = re.compile(
    r"(?<=[\w.])\s*,\s+(?:a|an|the|un|una|el|la|los|las)\s+[^,;]{2,70}?,(?=\s)", re.IGNORECASE)
_TAIL = re.compile(
    r",\s+(?:a move|a decision|a step|an effort|una medida|una decisión|lo que|which|"
    r"underscoring|highlighting|saying|adding|citing|prompting|leaving|bringing|making|"
    r"marking|raising|sparking|subrayando|dejando|including|incluidos?|incluidas?|"
    r"among them|entre ellos|entre ellas|"
    r"agregando|añadiendo)\b.*$", re.IGNORECASE)
_NAME_APPOSITIVE = re.compile(  # "The customs chief, Fernando Mamani Rojas, said"
    rf",\s+[A-ZÁÉÍÓÚÑ][\w.'’-]+(?:\s+(?:de\s+|del\s+|la\s+)?[A-ZÁÉÍÓÚÑ][\w.'’-]+){{0,3}},\s+"
    rf"(?=(?:{_REPORT_EN}|{_REPORT_ES})\b)")
_DATELINE = re.compile(  # "DESAGUADERO, Peru, Nov 12 (Reuters) – "
    r"^[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'-]{2,}(?:,\s*[\w .'-]{2,30}){0,2}(?:\s*\([\w .]+\))?\s*[–—-]+\s*")
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?|enero|febrero|marzo|"
          r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre")
_TIME_PHRASE = re.compile(  # a closing time phrase worth keeping when the clause before goes
    rf"\s(?:ahead of|before|after|until|by|on|antes de|hasta|el)\s+(?:the\s+|la\s+|el\s+)?"
    rf"(?:(?:{_MONTH})\s+\d{{1,2}}|\d{{1,2}}\s+(?:de\s+)?(?:{_MONTH}))\b[^,;]{{0,25}}?[.!]?$",
    re.IGNORECASE)
_PARENS = re.compile(r"\s*\([^()]{0,80}\)")
_INCLUDING = re.compile(
    r",\s+(?:including|incluidos?|incluidas?|among them|entre ellos)\s[^,;]{2,60}?,",
    re.IGNORECASE)
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|should|"
    r"do|does|did|says|said|show|shows|showed|gave|gives|took|takes|made|makes|won|lost|"
    r"comes|came|goes|went|face|faces|remain|remains|plans|wants|needs|rose|rise|rises|fell|"
    r"fall|falls|grew|grow|grows|hit|hits|cut|cuts|set|sets|led|leads|met|left|leaves|kept|"
    r"keeps|sold|sells|bought|buys|paid|pays|held|holds|won|wins|lost|loses|began|begins|"
    r"became|becomes|saw|sees|ran|runs|fought|struck|spent|spends|sent|sends|built|brought|"
    r"brings|thought|stood|fled|flee|flees|rose|fear|fears|expect|expects|owns|owned|"
    r"es|son|era|eran|fue|fueron|está|están|estaba|estaban|ha|han|había|habían|hay|será|"
    r"serán|puede|pueden|podría)\b|\b\w{3,}ed\b|"
    r"\b\w{2,}(?:ó|aron|ieron|aba|aban|ía|ían|ará|arán|erá|erán|irá|irán)\b", re.IGNORECASE)


def _has_verb(text: str) -> bool:
    return bool(_VERB.search(text))
_CUT_BEFORE = re.compile(
    r"\s(?:because|as|after|before|amid|while|although|though|since|if|unless|so that|but|"
    r"and|or|y|o|pero|sino|"
    r"to prevent|to avoid|in order to|in an attempt|in a bid|in an effort|following|despite|"
    r"porque|tras|mientras|aunque|si|"
    r"para|ante|pese a|luego de|después de|antes de)\s|(?<!\d),\s|;\s|\s[—–]\s",
    re.IGNORECASE)
_AUX = re.compile(r"\s(?:are|is|were|was|have|has|had|will|remain|remains|remained|"
                  r"can|could|must|face|faces)\s", re.IGNORECASE)
_REPORT_VERB = re.compile(rf"\b(?:{_REPORT_EN}|{_REPORT_ES})\b(?:\s+(?:that|que))?",
                          re.IGNORECASE)
_SAY_VERB = re.compile(  # verbs that take a clause, never just a noun ("said X" states nothing)
    r"\b(?:said|says|say|told\s+\w+(?:\s+\w+)?|dijo|dice|dicen|afirmó|aseguró|señaló|"
    r"indicó|explicó|sostuvo)\b(?:\s+(?:that|que))?", re.IGNORECASE)
_SPLIT_AFTER = re.compile(r"(?:;\s|,\s+(?:while|whereas|mientras que|mientras)\s)",
                          re.IGNORECASE)
_UNFINISHED = re.compile(
    r"\b(?:in|as)\s+(?:an?\s+)?(?:attempt|bid|effort|order|part|un intento|un esfuerzo)$",
    re.IGNORECASE)
_JOINERS = frozenset(("and", "or", "y", "e", "o", "u", "but", "pero"))
# "documentales, ficciones" before " y cortometrajes": a list is being read, not a clause
_LIST_TAIL = re.compile(r",\s+[^,;]{1,40}$")
_LIST_ITEM = re.compile(r"\s*(?:\S+\s){0,3}?\S+(?:,|\s(?:y|e|o|and|or)\s)")  # "B, C" / "B y C"
_TIME_END = re.compile(r"\b(?:today|yesterday|on \w+day|this week|hoy|ayer|este \w+|esta "
                       r"\w+|el (?:lunes|martes|miércoles|jueves|viernes|sábado|domingo))$",
                       re.IGNORECASE)
_AUX_WORDS = frozenset(("has", "have", "had", "will", "would", "ha", "han", "había"))
_RESTRICTIVE = re.compile(r"^(?P<subject>(?:\S+\s){1,6}?)(?:who|that)\s", re.IGNORECASE)

_DANGLING = frozenset(re.findall(r"\S+", """a an the of to in on at by for with from and or but
    that which who whom whose as than into onto about over under after before because if while
    his her its
    their our my your this these those is are was were be been has have had will would could
    should said says very more most
    el la los las un una unos unas de del al a en con por para y o u e ni que quien cuyo como
    su sus este esta estos estas ese esa se lo le les fue fueron es son ha han muy más"""))
_CONNECTIVES = frozenset(re.findall(r"\S+", """and but or so because which who whom that while
    although though y pero o porque que quien mientras aunque"""))
_PRO_DROP = re.compile(rf"^(?:{_REPORT_ES}|contó|relató|agregó|aseveró|comentó|expresó|pidió)$")
_ADJECTIVE_END = re.compile(r"(?:al|ive|ous|ful|ic|able|ible|less|ish)$")
_PRONOUNS = frozenset(("he", "she", "they", "it", "we", "i", "you", "this", "these", "those",
                       "él", "ella", "ellos", "ellas", "esto", "eso", "nosotros"))
_QUOTES = re.compile(r"[\"“«][^\"“”«»]*[\"”»]")


def _words(text: str) -> list[str]:
    return text.split()


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;:—–-")
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    return text.rstrip(".")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def is_complete(text: str) -> bool:
    """A statement that can stand alone in a fact box (see the module docstring)."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return False
    text = text.replace("''", '"').replace("``", '"')
    if (text.count('"') % 2 or text.count("“") != text.count("”")
            or text.count("«") != text.count("»") or text.count("(") != text.count(")")):
        return False
    last = words[-1].lower().strip(".,;:!?\"'”’»)")
    first = words[0].lower().strip("\"'“‘«(¿¡")
    if last in _DANGLING or first in _CONNECTIVES or first in _PRONOUNS:
        return False
    if _PRO_DROP.match(first):
        return False  # "Contó a este diario que…": who told is in an earlier sentence
    before = words[-2].lower() if len(words) > 1 else ""
    if (before in ("a", "an", "the", "un", "una") and _ADJECTIVE_END.search(last)) or (
            before == "as"):
        return False  # "have created a virtual", "to be as fuel-efficient"
    if text.rstrip().endswith(("\"", "”", "»")) and not text.lstrip().startswith(("\"", "“", "«")):
        return False  # the end of a quotation that began in an earlier sentence
    quoted = sum(len(q) for q in _QUOTES.findall(text))
    return quoted <= 0.5 * len(text)


def _drop_asides(text: str, pattern: re.Pattern[str], verbless: bool = False) -> str:
    """Remove comma-bounded asides the main clause resumes after (the next words hold a verb:
    "Kast, a former MP, has warned"), not list items ("merchants who move clothing, food").
    `verbless`: an appositive names, it does not state ("el Illimani y el Mururata pierden
    masa" between commas is part of a list, not an aside)."""
    out, last = [], 0
    for m in pattern.finditer(text):
        after = " ".join(_words(text[m.end():])[:2])
        if _has_verb(after) and not (verbless and _has_verb(m.group(0))):
            out.append(text[last:m.start()])
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def _drop_attribution(text: str) -> str:
    text = _LEADING_ACCORDING.sub("", text)
    text = _TRAILING_ATTRIBUTION.sub("", text)
    m = _LEADING_ATTRIBUTION.match(text)
    if m is None:
        return text
    said = m.group(0)[:m.start("rest")]
    clause = (bool(re.search(r"\s(?:that|que)\s", said)) or bool(_SAY_VERB.search(said))
              or bool(_PRONOUN.match(m.group("rest")))
              or _has_verb(m.group("rest").split(",")[0]))
    who_words = _words(m.group("who"))
    if (clause and len(who_words) <= 8 and len(_words(m.group("rest"))) >= MIN_WORDS
            and who_words[-1].lower() not in _AUX_WORDS):  # "Kast has warned X that…" stays
        who, rest = m.group("who").strip(), m.group("rest").strip()
        rest = re.split(r",?\s(?:but|pero)\s", rest)[0]  # "…but did not say": the speaker's
        if not _QUOTES.match(rest) and not rest.startswith(("\"", "“", "«")):
            pronoun = _PRONOUN.match(rest)
            if pronoun:
                rest = who + " " + rest[pronoun.end():]
            text = rest
    return text


def _drop_restrictive(text: str) -> str:
    m = _RESTRICTIVE.match(text)
    if not m:
        return text
    clause_end = None
    for aux in _AUX.finditer(text, m.end()):
        head = text[:aux.start()]
        if "," in head[m.end():]:
            break  # the clause ended at a comma before any verb: not this pattern
        clause_end = aux.start()
    if clause_end is None:
        return text
    return m.group("subject").rstrip() + text[clause_end:]


def _states(text: str) -> bool:
    """Has a verb, and after a reporting verb ("The company said …") a verb of its own: "The
    company said AOL's underlying profit" states nothing."""
    if not _has_verb(text):
        return False
    found = list(_SAY_VERB.finditer(text))
    if not found:
        return True
    report = found[-1]
    rest = text[report.end():]
    return len(_words(rest)) < 2 or _has_verb(rest)


def _variants(text: str) -> list[tuple[str, int]]:
    """Complete statements of MIN..MAX_WORDS words, each with the clause it states (0: the
    main one): the text itself, its prefixes cut before a subordinate tail, and (clause 1, 2…)
    what follows "; " / ", while" / ", whereas" / ", mientras"."""
    out: list[tuple[str, int]] = []
    if len(_words(text)) <= MAX_WORDS and is_complete(text) and _states(text):
        out.append((text, 0))
    for m in _CUT_BEFORE.finditer(text):
        prefix = _clean(text[:m.start()])
        n = len(_words(prefix))
        if n > MAX_WORDS:
            break
        cut = m.group(0).strip().lower()
        in_list = ((cut in _JOINERS or cut == ",") and bool(_LIST_TAIL.search(prefix))) or (
            cut == "," and bool(_LIST_ITEM.match(text, m.end())))
        if cut == "," and _TIME_END.search(prefix):
            continue  # "aprobó este miércoles," : what was approved comes after the comma
        if (n >= 6 and is_complete(prefix) and _states(prefix) and not in_list
                and not _UNFINISHED.search(prefix)):
            out.append((prefix, 0))
            when = _TIME_PHRASE.search(text, m.start())
            if when and n + len(_words(when.group(0))) <= MAX_WORDS:
                # "… on the border ahead of the Dec. 14 runoff"
                out.append((f"{prefix} {_clean(when.group(0))}", 0))
    for clause, m in enumerate(_SPLIT_AFTER.finditer(text), start=1):
        rest = _clean(text[m.end():])
        short = _shorten(_capitalise(rest)) if rest else None
        if short:
            out.append((short, clause))
    return list(dict.fromkeys(out))


def _shorten(text: str) -> str | None:
    """The longest main-clause variant within TARGET_WORDS, else the shortest one."""
    found = [v for v, clause in _variants(text) if clause == 0]
    if not found:
        return None
    fitting = [v for v in found if len(_words(v)) <= TARGET_WORDS]
    return max(fitting, key=len) if fitting else min(found, key=len)


def _core(sentence: str) -> str:
    text = " ".join(sentence.split())
    text = _PARENS.sub("", text)
    text = _DATELINE.sub("", text)
    text = _INCLUDING.sub("", text)
    text = _drop_asides(text, _NONRESTRICTIVE)
    text = _drop_asides(text, _APPOSITIVE, verbless=True)
    text = _NAME_APPOSITIVE.sub(" ", text)
    for _ in range(2):  # an opener can hide an attribution and the other way round
        text = _OPENER.sub("", text)
        text = _drop_attribution(text)
    text = _TAIL.sub("", text)
    text = _drop_restrictive(text)
    return _clean(text)


def _whole_quotes(text: str) -> bool:
    return (text.count("«") == text.count("»") and text.count("“") == text.count("”")
            and text.count('"') % 2 == 0)


def compressions(sentence: str, lang: str | None = None) -> list[tuple[str, int]]:
    """Every complete short statement the rules make of `sentence`, longest first, each with
    the clause it states (0 the main clause; 1, 2… clauses after "; " or ", while")."""
    if not _whole_quotes(sentence):
        return []  # the start or end of a quotation the sentence splitter cut in two
    core = _core(sentence)
    if not core:
        return []
    out = []
    for v, clause in _variants(_capitalise(core)):
        v = _capitalise(_clean(v))
        if is_complete(v) and _states(v) and MIN_WORDS <= len(_words(v)) <= MAX_WORDS:
            out.append((v, clause))
    return sorted(dict.fromkeys(out), key=lambda vc: -len(vc[0]))


def compress(sentence: str, lang: str | None = None) -> str | None:
    """The sentence's main statement, at most MAX_WORDS words, or None (see the docstring):
    the longest variant within TARGET_WORDS, else the shortest."""
    found = [v for v, clause in compressions(sentence, lang) if clause == 0]
    if not found:
        return None
    fitting = [v for v in found if len(_words(v)) <= TARGET_WORDS]
    return fitting[0] if fitting else found[-1]
