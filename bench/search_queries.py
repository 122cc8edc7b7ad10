"""Queries for bench/search.py, written for this project: each targets one gold event of the ECB+
dev stream (`event` in ../shared/data/stories/ecbplus-dev.jsonl, English articles). Most are in
Spanish (a reader searching in their language for English coverage); the last ones are English,
to check that searching in the articles' own language still works. Names are kept as a reader
would type them, often without accents.

Four queries were rewritten after the first run (kept in RESULTS.md): three described what the
target event shares with its sibling event in the same topic (a second heist at the same Paris
jeweller, a second fatal fall on Mount Cook, Obama reversing the Bush rule), so their gold label
was arbitrary, and one targeted an event of three articles, where precision at 5 cannot pass 0.6.
"""

SPANISH: list[tuple[str, str]] = [
    ("Tara Reid ingresa en un centro de rehabilitación", "1_ecb"),
    ("Lindsay Lohan deja Betty Ford y entra en una clínica de Malibú", "1_ecbplus"),
    ("Hugh Jackman presentará los Oscar pese a la huelga de actores", "2_ecb"),
    ("Ellen DeGeneres presentadora de los Oscar 2014", "2_ecbplus"),
    ("condenan a cadena perpetua al hombre que mató a cuatro en la fuga del juzgado de Atlanta",
     "3_ecb"),
    ("preso de Texas capturado tras una semana fugado", "3_ecbplus"),
    ("muere Bettie Page, la modelo pin-up, a los 85 años", "4_ecb"),
    ("muere la nadadora y actriz Esther Williams a los 91 años", "4_ecbplus"),
    ("los 76ers despiden al entrenador Maurice Cheeks", "5_ecb"),
    ("Chris Weitz dirigirá Luna Nueva, la secuela de Crepúsculo", "6_ecb"),
    ("Gary Ross negocia dirigir la secuela de Los juegos del hambre", "6_ecbplus"),
    ("Klitschko vence a Hasim Rahman y retiene el título de los pesos pesados", "7_ecb"),
    ("Klitschko noquea a Tony Thompson en el sexto asalto", "7_ecbplus"),
    ("bomba en un banco de Woodburn, Oregón, mata a un policía", "8_ecb"),
    ("tres muertos en Atenas por un cóctel molotov contra un banco durante la huelga general",
     "8_ecbplus"),
    ("Bush limita a los científicos en la ley de especies en peligro seis semanas antes de Obama",
     "9_ecb"),
    ("Obama revoca la norma de Bush sobre especies amenazadas", "9_ecbplus"),
    ("los Angels ofrecen ocho años de contrato a Mark Teixeira", "10_ecb"),
    ("los Red Sox ofrecen 200 millones a Teixeira", "10_ecbplus"),
    ("elecciones parlamentarias en Turkmenistán con boicot de la oposición", "11_ecb"),
    ("la Armada india frustra un ataque pirata en el golfo de Adén y detiene a 23", "12_ecb"),
    ("incendio en la iglesia bíblica de Wasilla", "13_ecb"),
    ("incendio destruye un supermercado en Banstead, Surrey", "14_ecb"),
    ("gran incendio en un Waitrose de Wellington", "14_ecbplus"),
    ("condenado a muerte el asesino de un ayudante del sheriff", "16_ecbplus"),
    ("tiroteo en una fiesta de Navidad de una oficina en Vancouver", "18_ecb"),
    ("disturbios en Brooklyn tras la muerte de un adolescente a manos de la policía",
     "19_ecbplus"),
    ("terremoto en la isla iraní de Qeshm deja heridos", "20_ecb"),
    ("terremoto en Irán mata a diez personas y daña siete aldeas", "20_ecbplus"),
    ("atropello con fuga en Queens mata a una madre", "21_ecbplus"),
    ("Yvonne Hiller acusada del tiroteo en la planta de Kraft", "22_ecbplus"),
    ("alpinista australiano sobrevive dos noches en el monte Cook tras ver morir a su hermano",
     "23_ecb"),
    ("robo de diamantes por 100 millones de dólares en la joyería Harry Winston de París",
     "24_ecb"),
    ("Reggie Bush lesionado se pierde el resto de la temporada con los Saints", "25_ecb"),
    ("capo de la mafia se ahorca en una cárcel siciliana tras su detención", "26_ecb"),
    ("muere en prisión Vincent Gigante, el jefe mafioso", "26_ecbplus"),
    ("Microsoft publica un parche urgente para Internet Explorer", "27_ecbplus"),
    ("muere Mark Felt, Garganta Profunda del Watergate", "28_ecb"),
    ("muere Fred LaRue, colaborador de Nixon en el Watergate", "28_ecbplus"),
    ("los Colts vencen a los Chiefs y se clasifican para los playoffs", "29_ecbplus"),
    ("cortes de cables submarinos dejan sin internet a Egipto", "30_ecb"),
    ("Tyler Hansbrough récord de puntos de North Carolina", "31_ecb"),
    ("Obama nombrará a Sanjay Gupta cirujano general", "34_ecb"),
    ("Vincent Jackson de los Chargers detenido por conducir ebrio", "35_ecb"),
]
ENGLISH: list[tuple[str, str]] = [  # the articles' own language
    ("Regina Benjamin nominated surgeon general", "34_ecbplus"),
    ("Jamal Williams DUI arrest Chargers", "35_ecbplus"),
    ("Doug McDermott scoring record Creighton beats Drake", "31_ecbplus"),
    ("SEACOM cable outage internet", "30_ecbplus"),
]

QUERIES = SPANISH + ENGLISH

# queries that name nothing in the corpus: a search must answer them with nothing
NONSENSE: list[str] = ["xqzvt blorf wump", "zzzz", "qwertyuiop asdfgh", "ñññ kkk"]
