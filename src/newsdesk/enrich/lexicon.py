"""Word lists for the rule-based entity finder (enrich/entities.py), written for this project.

English and Spanish: stop words, name connectors, titles and roles, organisation and place cues,
first names, demonyms and a gazetteer of countries and cities. Lower-case unless noted.
"""

from __future__ import annotations


def _words(s: str) -> set[str]:
    return {w for w in s.split() if w}


def _names(s: str) -> set[str]:
    return {w.strip() for w in s.split(",") if w.strip()}


STOP = _words(
    "the a an this that these those his her its their our my your we he she it they i you "
    "in on at of for to from by with and or but if when while after before as since because "
    "there here what who why how which where some many most all both each every no not one "
    "however meanwhile also still yet so then thus although though despite according "
    "el la los las un una unos unas lo al del de en con por para según sin sobre tras y o pero "
    "este esta estos estas ese esa esos esas su sus cuando si aunque mientras además también "
    "hoy ayer mañana entre desde hasta durante ante bajo"
)
CONNECTORS = _words("de del la las los of van von der den da di du dos das le bin")
TITLES = _words(
    "mr mrs ms dr prof sir dame lord lady president vice prime minister secretary senator "
    "sen rep representative governor gov mayor chancellor king queen prince princess pope "
    "general gen colonel col captain capt lieutenant sergeant judge justice sheriff chief "
    "ceo chairman chairwoman chair director commissioner ambassador mp mep deputy speaker "
    "premier sheikh emir rabbi reverend father bishop archbishop cardinal officer detective "
    "coach manager spokesman spokeswoman spokesperson leader executive "
    "sr sra srta don doña dña presidente presidenta ministro ministra secretario secretaria "
    "senador senadora diputado diputada gobernador gobernadora alcalde alcaldesa canciller "
    "rey reina príncipe princesa papa general coronel juez jueza fiscal jefe jefa director "
    "directora embajador embajadora portavoz vocero vocera líder candidato candidata"
)
ROLE_BEFORE = TITLES | _words(
    "candidate contender rival opponent challenger incumbent lawmaker legislator politician "
    "activist analyst economist author writer actor actress singer player striker midfielder "
    "defender goalkeeper star founder owner husband wife son daughter brother sister mother "
    "father widow friend lawyer attorney spokesman official businessman businesswoman "
    "columnist correspondent reporter professor researcher scientist doctor nurse boss "
    "aspirante opositor abogado abogada periodista investigador investigadora profesor "
    "profesora actor actriz cantante jugador delantero entrenador empresario empresaria "
    "señor señora"
)
SPEECH_AFTER = _words(
    "said says told added explained wrote warned argued insisted claimed noted announced "
    "dijo afirmó aseguró declaró explicó señaló indicó añadió agregó sostuvo advirtió anunció "
    "quien"
)
ORG_WORDS = _words(
    "ministry council bank university party corporation corp inc ltd plc llc co company group "
    "association agency commission committee court congress senate parliament assembly "
    "department police army navy force forces federation union institute institution "
    "foundation fund news times post journal herald tribune guardian telegraph press "
    "reuters airlines airways motors bros fc club school college academy hospital "
    "organization organisation office board authority service services network television "
    "tv radio broadcasting church league team government administration cabinet "
    "ministerio consejo banco universidad partido empresa grupo asociación agencia comisión "
    "comité tribunal corte congreso senado parlamento asamblea departamento policía ejército "
    "armada fuerza fuerzas federación unión instituto fundación fondo diario periódico "
    "escuela colegio hospital organización oficina junta autoridad servicio red televisión "
    "gobierno cámara fiscalía registro dirección superintendencia carabineros "
    "aduana aduanas customs gobernación prefectura municipalidad alcaldía cancillería "
    "yacimientos wire daily gazette chronicle observer courier prensa noticias programme "
    "program ministry ministère"
)
# Outlets and agencies known by name alone (lower case, whole names)
KNOWN_ORGS = _names(
    "reuters, afp, efe, ap, bloomberg, bbc, cnn, xinhua, al jazeera, associated press, "
    "agence france-presse, europa press, pacific wire, infobae, clarín, la nación, el país, "
    "el deber, la razón, el comercio, la república, el tiempo, el mercurio, la tercera, "
    "página siete, los tiempos, el universal, milenio, new york times, washington post, "
    "financial times, wall street journal, the economist, le monde, naciones unidas, "
    "united nations, onu, oea, unicef, acnur, unhcr, fmi, imf, ocde, oecd, mercosur, opec"
)
# A name ending in one of these is a document, not whoever wrote it
DOC_WORDS = _words(
    "principles guidelines act law report standards code agreement treaty accord declaration "
    "plan protocol charter constitution convention rules policy"
)
# The head of an English place name comes last, of a Spanish one first
PLACE_HEAD_LAST = _words(
    "river lake lagoon mountain mountains volcano valley bay gap island islands desert falls "
    "canyon park square street avenue road bridge coast peninsula sea ocean gulf strait canal "
    "basin delta mine airport highway region province"
)
PLACE_HEAD_FIRST = _words(
    "lake mount mt cape gulf fort isle río rio lago laguna monte cerro volcán valle bahía "
    "golfo isla islas salar selva desierto sierra cordillera plaza parque puerto cabo punta "
    "playa provincia región departamento mina carretera avenida calle puente aeropuerto"
)
# Spanish landform words anywhere in a name make it a place ("Rincón del Cerro")
PLACE_WORDS_ANY = _words("cerro sierra río lago laguna valle bahía isla puerto")
# a lower-case word right before a name ("el río Paraná", "the river Plate")
PLACE_NOUN_BEFORE = _words(
    "río rio lago laguna volcán cerro selva desierto isla salar nevado river"
)
# a lower-case word before "de"/"of" and a name ("la ciudad de Colonia", "city of Arica")
PLACE_NOUN_OF = _words(
    "city town village province region state department municipality district island "
    "ciudad provincia región departamento municipio localidad comuna distrito pueblo afueras "
    "cuenca frontera fronterizo paso valle isla estado barrio zona"
)
# a lower-case word right before a name that makes it an organisation
ORG_BEFORE = _words(
    "newspaper diario periódico daily agency agencia outlet channel canal broadcaster network "
    "cadena radio emisora revista magazine company empresa firma firm group grupo carrier "
    "airline aerolínea owned"
)
# a lower-case word before "of"/"de" and a name that makes it an organisation
ORG_OF = _words("shares stock acciones ceo chairman subsidiary filial unit")
# a motion verb then "to"/"a" before a name: a destination ("viajó a Juliaca")
MOTION = _words(
    "flew travelled traveled travelling traveling arrived returned headed moved fled went "
    "viajó viajará viaja viajaron llegó llegará llega llegaron regresó volvió voló trasladado "
    "trasladada trasladó huyó"
)
# after "<minister> de/of" a capitalised run is the portfolio ("ministro de Economía")
PORTFOLIO_TITLES = _words(
    "minister ministers secretary ministro ministra ministros secretario secretaria "
    "viceministro viceministra"
)
SPANISH_ARTICLES = _words("el la los las")
PLACE_AFTER = _words(
    "crossing border city town village province region state county district river lake "
    "mountain mountains valley airport port street avenue square bridge highway island "
    "islands coast desert peninsula bay sea ocean capital neighbourhood neighborhood"
)
PLACE_BEFORE = _words("in at from near into across towards toward en desde hacia cerca")
DETERMINERS = _words("the el la los las")
FIRST_NAMES = _words(
    "james john robert michael william david richard joseph thomas charles christopher daniel "
    "matthew anthony mark donald steven paul andrew joshua kevin brian george timothy ronald "
    "edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott "
    "brandon benjamin samuel frank gregory raymond alexander patrick jack dennis jerry tyler "
    "aaron henry peter adam nathan kyle walter harold keith christian roger noah gerald carl "
    "terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie "
    "gabriel logan alan juan wayne roy ralph randy eugene vincent russell louis philip bobby "
    "johnny bradley mary patricia jennifer linda elizabeth barbara susan jessica sarah karen "
    "nancy lisa betty margaret sandra ashley kimberly emily donna michelle dorothy carol "
    "amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela "
    "helen anna brenda pamela nicole emma samantha katherine christine debra rachel catherine "
    "carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly "
    "christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances "
    "gloria ann teresa kathryn sara janice jean alice madison doris abigail julia judy grace "
    "denise amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella "
    "charlotte rose alexis kayla boris vladimir emmanuel angela rishi keir kamala hillary "
    "josé jose antonio manuel francisco luis javier carlos jesús miguel pedro alejandro rafael "
    "fernando pablo sergio jorge alberto ángel diego andrés ricardo enrique ramón vicente "
    "mario eduardo raúl gonzalo felipe sebastián joaquín ignacio nicolás gustavo hugo "
    "óscar rodrigo cristina marta lucía carmen isabel ana rosa pilar dolores mercedes "
    "josefa elena laura paula sofía valentina camila daniela gabriela fernanda andrea "
    "jeannette michelle verónica claudia patricia alejandra beatriz gloria inés juana "
    "evo lula dilma cristina gabriel sebastián dina pedro keiko martín xiomara nayib "
    "emmanuel olaf giorgia recep narendra xi shinzo fumio volodymyr benjamin ursula "
    "kim lee "
    "maría marcelo carolina álvaro alvaro mariana lorena rosario adriana alicia blanca "
    "elena eva luisa susana silvia mónica natalia paola lucas mateo martina valeria "
    "ximena rocío marisol jimena ernesto arturo guillermo marcos octavio horacio "
    "esteban cristóbal humberto rubén héctor julio césar germán rolando elmer magda "
    "corina inés dilma"
)
DEMONYMS = _words(
    "american british english scottish welsh irish french german spanish italian portuguese "
    "dutch belgian swiss austrian swedish norwegian danish finnish polish russian ukrainian "
    "greek turkish israeli palestinian iranian iraqi syrian lebanese saudi egyptian libyan "
    "moroccan algerian nigerian kenyan ethiopian south african chinese japanese korean indian "
    "pakistani afghan bangladeshi indonesian vietnamese thai filipino australian canadian "
    "mexican cuban haitian venezuelan colombian peruvian chilean argentine argentinian "
    "bolivian brazilian ecuadorian uruguayan paraguayan european asian african latin "
    "latino latina hispanic arab muslim christian jewish catholic republican republicans "
    "democrat democrats democratic conservative conservatives labour tory tories"
)
GAZETTEER = _names(
    "Afghanistan, Albania, Algeria, Andorra, Angola, Argentina, Armenia, Australia, Austria, "
    "Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium, Belize, Benin, "
    "Bhutan, Bolivia, Bosnia, Botswana, Brazil, Brasil, Brunei, Bulgaria, Burkina Faso, "
    "Burundi, Cambodia, Camboya, Cameroon, Canada, Canadá, Chad, Chile, China, Colombia, "
    "Congo, Costa Rica, Croatia, Croacia, Cuba, Cyprus, Chipre, Czech Republic, Czechia, "
    "Denmark, Dinamarca, Djibouti, Dominican Republic, República Dominicana, Ecuador, Egypt, "
    "Egipto, El Salvador, Eritrea, Estonia, Ethiopia, Etiopía, Fiji, Finland, Finlandia, "
    "France, Francia, Gabon, Gambia, Georgia, Germany, Alemania, Ghana, Greece, Grecia, "
    "Guatemala, Guinea, Guyana, Haiti, Haití, Honduras, Hungary, Hungría, Iceland, India, "
    "Indonesia, Iran, Irán, Iraq, Irak, Ireland, Irlanda, Israel, Italy, Italia, Jamaica, "
    "Japan, Japón, Jordan, Jordania, Kazakhstan, Kenya, Kosovo, Kuwait, Kyrgyzstan, Laos, "
    "Latvia, Lebanon, Líbano, Lesotho, Liberia, Libya, Libia, Lithuania, Luxembourg, "
    "Madagascar, Malawi, Malaysia, Maldives, Mali, Malta, Mauritania, Mauritius, Mexico, "
    "México, Moldova, Monaco, Mongolia, Montenegro, Morocco, Marruecos, Mozambique, Myanmar, "
    "Namibia, Nepal, Netherlands, Holland, Países Bajos, New Zealand, Nueva Zelanda, "
    "Nicaragua, Niger, Nigeria, North Korea, Corea del Norte, Norway, Noruega, Oman, "
    "Pakistan, Pakistán, Palestine, Panama, Panamá, Papua New Guinea, Paraguay, Peru, Perú, "
    "Philippines, Filipinas, Poland, Polonia, Portugal, Qatar, Romania, Rumania, Russia, "
    "Rusia, Rwanda, Saudi Arabia, Arabia Saudita, Senegal, Serbia, Sierra Leone, Singapore, "
    "Singapur, Slovakia, Slovenia, Somalia, South Africa, Sudáfrica, South Korea, "
    "Corea del Sur, South Sudan, Spain, España, Sri Lanka, Sudan, Sudán, Suriname, Sweden, "
    "Suecia, Switzerland, Suiza, Syria, Siria, Taiwan, Taiwán, Tajikistan, Tanzania, "
    "Thailand, Tailandia, Togo, Tunisia, Túnez, Turkey, Türkiye, Turquía, Turkmenistan, "
    "Uganda, Ukraine, Ucrania, United Arab Emirates, United Kingdom, Reino Unido, UK, U.K., "
    "Britain, Great Britain, Gran Bretaña, England, Inglaterra, Scotland, Escocia, Wales, "
    "Northern Ireland, United States, Estados Unidos, US, U.S., USA, EE.UU., EEUU, America, "
    "Uruguay, Uzbekistan, Vatican, Venezuela, Vietnam, Yemen, Zambia, Zimbabwe, "
    "Africa, África, Asia, Europe, Europa, North America, South America, Latin America, "
    "América Latina, Latinoamérica, Central America, Centroamérica, Middle East, "
    "Oriente Medio, Caribbean, Caribe, Antarctica, Antártida, Patagonia, Amazon, Amazonía, "
    "Andes, Balkans, Scandinavia, Siberia, Gaza, West Bank, Cisjordania, Crimea, Donbas, "
    "Kashmir, Tibet, Hong Kong, Kurdistan, Sahara, Sahel, Atlantic, Pacific, Pacífico, "
    "Atlántico, Mediterranean, Mediterráneo, "
    "London, Londres, Paris, París, Berlin, Berlín, Madrid, Barcelona, Rome, Roma, Milan, "
    "Lisbon, Lisboa, Brussels, Bruselas, Amsterdam, Vienna, Viena, Geneva, Ginebra, Zurich, "
    "Moscow, Moscú, Kyiv, Kiev, Warsaw, Varsovia, Athens, Atenas, Istanbul, Estambul, Ankara, "
    "Dublin, Edinburgh, Manchester, Liverpool, Birmingham, Glasgow, Cardiff, Belfast, "
    "Washington, New York, Nueva York, Los Angeles, Chicago, Houston, Miami, Boston, "
    "San Francisco, Seattle, Texas, California, Florida, Arizona, Toronto, Ottawa, Montreal, "
    "Vancouver, Mexico City, Ciudad de México, Guadalajara, Monterrey, Tijuana, Havana, "
    "La Habana, Bogotá, Medellín, Cali, Caracas, Quito, Guayaquil, Lima, Cusco, Cuzco, "
    "Arequipa, Tacna, La Paz, Santa Cruz, Santiago, Valparaíso, Arica, Iquique, Antofagasta, "
    "Concepción, Temuco, Buenos Aires, Córdoba, Rosario, Mendoza, Montevideo, Asunción, "
    "Brasília, São Paulo, Rio de Janeiro, Tokyo, Tokio, Beijing, Pekín, Shanghai, Delhi, "
    "New Delhi, Mumbai, Karachi, Islamabad, Kabul, Tehran, Teherán, Baghdad, Bagdad, "
    "Damascus, Damasco, Beirut, Jerusalem, Jerusalén, Tel Aviv, Cairo, El Cairo, Riyadh, "
    "Dubai, Doha, Nairobi, Lagos, Johannesburg, Cape Town, Sydney, Melbourne, Seoul, Seúl, "
    "Pyongyang, Bangkok, Manila, Jakarta, Singapore, Kathmandu, Hanoi, Taipei, "
    "Oslo, Stockholm, Estocolmo, Copenhagen, Copenhague, Helsinki, Prague, Praga, Budapest, "
    "Bucharest, Bucarest, Los Ángeles, "
    "El Alto, Santa Cruz de la Sierra, Cochabamba, Oruro, Potosí, Tarija, Cobija, Sucre, "
    "Trujillo, Chiclayo, Piura, Iquitos, Huancayo, Puno, Juliaca, Ayacucho, Cajamarca, "
    "Pucallpa, Callao, Desaguadero, Viña del Mar, Puerto Montt, Punta Arenas, La Serena, "
    "Calama, Rancagua, Talca, La Plata, Tucumán, Mar del Plata, Salta, Ushuaia, Bariloche, "
    "Cuenca, Barranquilla, Cartagena, Cúcuta, Maracaibo, Manaus, Porto Alegre, "
    "Belo Horizonte, Recife, Fortaleza, Curitiba, Ciudad Juárez, Colonia del Sacramento, "
    "Punta del Este, Ciudad del Este, San Salvador, Tegucigalpa, Managua, San José, "
    "Guatemala City, Panama City, Ciudad de Panamá"
)
GAZ_LOWER = {g.lower() for g in GAZETTEER}
ACRONYM_PLACES = {"UK", "U.K.", "US", "U.S.", "USA", "EE.UU.", "EEUU", "UAE", "EU", "UE"}
