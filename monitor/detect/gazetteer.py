"""Built-in gazetteers: who can launch (actors) and what is launched (weapons).

Actor aliases cover names, demonyms, capitals, armed forces, leaders and state media, so that
"Pyongyang", "DPRK" and "KCNA" all mean North Korea. Aliases written in capitals and shorter
than five characters are matched case-sensitively ("US" is an actor, "us" is not).
A rules file can add aliases under `actors:`; see docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ActorInfo:
    id: str
    timezone: str | None
    aliases: tuple[str, ...]


def _actor(id_: str, tz: str | None, *aliases: str) -> ActorInfo:
    return ActorInfo(id_, tz, aliases)


ACTORS: tuple[ActorInfo, ...] = (
    _actor(
        "north-korea",
        "Asia/Pyongyang",
        "North Korea",
        "N. Korea",
        "N.Korea",
        "North Korean",
        "North Koreans",
        "DPRK",
        "D.P.R.K.",
        "Democratic People's Republic of Korea",
        "Pyongyang",
        "KCNA",
        "Korean Central News Agency",
        "Rodong Sinmun",
        "Korean People's Army",
        "KPA",
        "Kim Jong Un",
        "Kim Jong-un",
        "Kim Jong-Un",
        "National Aerospace Technology Administration",
        "NATA",
        "Missile Administration",
    ),
    _actor(
        "south-korea",
        "Asia/Seoul",
        "South Korea",
        "S. Korea",
        "South Korean",
        "South Koreans",
        "Republic of Korea",
        "ROK",
        "Seoul",
        "Yonhap",
    ),
    _actor(
        "iran",
        "Asia/Tehran",
        "Iran",
        "Iranian",
        "Iranians",
        "Tehran",
        "Teheran",
        "Islamic Republic",
        "IRGC",
        "Revolutionary Guard",
        "Revolutionary Guards",
        "IRNA",
        "Khamenei",
    ),
    _actor(
        "russia",
        "Europe/Moscow",
        "Russia",
        "Russian",
        "Russians",
        "Moscow",
        "Kremlin",
        "Putin",
        "Vladimir Putin",
        "TASS",
        "Russian Federation",
    ),
    _actor(
        "soviet-union",
        "Europe/Moscow",
        "Soviet Union",
        "Soviet",
        "Soviets",
        "USSR",
        "U.S.S.R.",
    ),
    _actor(
        "ukraine",
        "Europe/Kyiv",
        "Ukraine",
        "Ukrainian",
        "Ukrainians",
        "Kyiv",
        "Kiev",
        "Zelensky",
        "Zelenskyy",
        "Zelenskiy",
    ),
    _actor(
        "israel",
        "Asia/Jerusalem",
        "Israel",
        "Israeli",
        "Israelis",
        "IDF",
        "Israel Defense Forces",
        "Netanyahu",
    ),
    _actor("india", "Asia/Kolkata", "India", "Indian", "Indians", "New Delhi", "DRDO"),
    _actor(
        "pakistan",
        "Asia/Karachi",
        "Pakistan",
        "Pakistani",
        "Pakistanis",
        "Islamabad",
        "ISPR",
    ),
    _actor(
        "united-states",
        "America/New_York",
        "United States",
        "U.S.",
        "US",
        "USA",
        "U.S.A.",
        "American",
        "Americans",
        "Washington",
        "Pentagon",
        "U.S. Navy",
        "U.S. military",
    ),
    _actor("china", "Asia/Shanghai", "China", "Chinese", "Beijing", "PLA", "Xinhua"),
    _actor("japan", "Asia/Tokyo", "Japan", "Japanese", "Tokyo"),
    _actor("taiwan", "Asia/Taipei", "Taiwan", "Taiwanese", "Taipei"),
    _actor("iraq", "Asia/Baghdad", "Iraq", "Iraqi", "Iraqis", "Baghdad"),
    _actor("syria", "Asia/Damascus", "Syria", "Syrian", "Damascus"),
    _actor("yemen-houthis", "Asia/Aden", "Houthi", "Houthis", "Ansar Allah", "Yemen", "Yemeni"),
    _actor("hamas", "Asia/Gaza", "Hamas"),
    _actor("hezbollah", "Asia/Beirut", "Hezbollah", "Hizbollah", "Hizballah"),
    _actor("lebanon", "Asia/Beirut", "Lebanon", "Lebanese", "Beirut"),
    _actor("saudi-arabia", "Asia/Riyadh", "Saudi Arabia", "Saudi", "Saudis", "Riyadh"),
    _actor(
        "united-kingdom",
        "Europe/London",
        "Britain",
        "British",
        "United Kingdom",
        "UK",
        "U.K.",
        "London",
        "Royal Navy",
    ),
    _actor("france", "Europe/Paris", "France", "French", "Paris"),
    _actor("germany", "Europe/Berlin", "Germany", "German", "Berlin"),
    _actor("libya", "Africa/Tripoli", "Libya", "Libyan", "Tripoli"),
    _actor("afghanistan", "Asia/Kabul", "Afghanistan", "Afghan", "Kabul", "Taliban"),
    _actor("turkey", "Europe/Istanbul", "Turkey", "Türkiye", "Turkiye", "Turkish", "Ankara"),
    _actor("qatar", "Asia/Qatar", "Qatar", "Qatari", "Doha"),
    _actor("egypt", "Africa/Cairo", "Egypt", "Egyptian", "Cairo"),
    _actor("nato", None, "NATO"),
)

_NAMES = {a.id: a.aliases[0] for a in ACTORS}


def actor_name(actor: str) -> str:
    """An actor's name in English: "north-korea" -> "North Korea"."""
    return _NAMES.get(actor) or actor.replace("-", " ").title()


# Russia's aliases mean the Soviet Union in reports published before 1992.
SOVIET_ERA_END_YEAR = 1991
ERA_ALIASES = {"russia": "soviet-union"}

# Named missile systems and missile families, as regular expressions (case-insensitive).
# A number is required where the bare name is also an ordinary word or place ("Hwasong" is a
# district of Pyongyang, "Agni" a Hindu god, "Patriot" an adjective).
NAMED_WEAPONS: tuple[str, ...] = (
    r"Hwasong-?\d+\w*",
    r"Hwasongpho-?\d+\w*",
    r"Pukguksong-?\d+\w*",
    r"KN-?\d{2}",
    r"Taepodong(?:-?\d)?",
    r"Nodong-?\d",
    r"Chollima-?\d+",
    r"Unha-?\d+",
    r"Malligyong-?\d+(?:-\d+)?",
    r"Hwasal-?\d+",
    r"Iskander(?:-M)?",
    r"Kinzhal",
    r"Kalibr",
    r"Kh-\d+\w*",
    r"Oreshnik",
    r"Zircon",
    r"Tsirkon",
    r"Sarmat",
    r"Bulava",
    r"Yars",
    r"Topol(?:-M)?",
    r"Avangard",
    r"Burevestnik",
    r"Shahab[\s-]?\d",
    r"Fateh-?\d+",
    r"Fattah(?:-?\d)?",
    r"Emad",
    r"Ghadr",
    r"Sejjil",
    r"Khorramshahr",
    r"Kheibar Shekan",
    r"Simorgh",
    r"Qased",
    r"Safir",
    r"Agni[\s-]?(?:[IVX]+|\d)",
    r"Prithvi(?:[\s-]?(?:[IVX]+|\d))?",
    r"Ghauri(?:[\s-]?(?:[IVX]+|\d))?",
    r"Shaheen[\s-]?(?:[IVX]+|\d)",
    r"Babur",
    r"Ababeel",
    r"BrahMos",
    r"Tomahawks?",
    r"ATACMS",
    r"Storm Shadows?",
    r"SCALP",
    r"Taurus KEPD",
    r"Minuteman(?:\s+(?:III|3))?",
    r"Trident(?:\s+(?:II|D5))?",
    r"Jericho(?:\s+(?:II|III|2|3))",
    r"Scuds?",
    r"Silkworms?",
    r"SS-\d+",
    r"Exocets?",
    r"Harpoons?",
    r"Stingers?",
    r"Hawk missiles?",
    r"SM-\d",
)

# Generic missile words. Listed in the order of specificity the weapon field prefers.
MISSILE_KINDS: tuple[str, ...] = (
    "intercontinental ballistic",
    "submarine-launched ballistic",
    "intermediate-range ballistic",
    "medium-range ballistic",
    "short-range ballistic",
    "hypersonic",
    "ballistic",
    "cruise",
    "anti-ship",
    "anti-shipping",
    "surface-to-air",
    "surface-to-surface",
    "air-to-surface",
    "air-to-air",
    "air-launched",
    "interceptor",
    "guided",
    "tactical",
    "strategic",
)
MISSILE_ACRONYMS: tuple[str, ...] = ("ICBM", "SLBM", "IRBM", "MRBM", "SRBM", "ALBM")


# Kinds of missile a report may name by acronym or in words, one launch being of one kind.
_CLASSES: tuple[tuple[str, str], ...] = (
    ("ICBM", "intercontinental"),
    ("SLBM", "submarine"),
    ("IRBM", "intermediate"),
    ("MRBM", "medium"),
    ("SRBM", "short"),
    ("hypersonic", "hypersonic"),
    ("cruise", "cruise"),
)


def weapon_class(weapon: str | None) -> str | None:
    """The kind of missile a weapon field names ("ICBM", "intercontinental ballistic
    missile": "ICBM"); None for a named system, "ballistic missile" or "missile"."""
    if weapon is None:
        return None
    folded = weapon.casefold()
    for name, word in _CLASSES:
        if folded.rstrip("s") == name.casefold() or folded.startswith(word):
            return name
    return None
