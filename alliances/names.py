"""Country names in other languages, and the countries a name in any of them means.

The names come from the ISO 3166-1 translations installed with pycountry (Debian's iso-codes,
translated on Weblate): nothing is stored, so a pycountry upgrade brings better names with it.
A country with an ISO code (current or historical) gets its names in every language of
`NAME_LANGUAGES`; a code of ISO's user-assigned range (X??) has none.

`SUCCESSOR_CODES` names states that users look for by their name of today although the records
(following the Correlates of War) call them by an older one: SRB is "Yugoslavia" in COW, and a
reader searches for Serbia.
"""

import functools
import gettext

import pycountry

# Language tag (as pages and the API name it) -> pycountry's locale folder.
NAME_LANGUAGES = {
    "ar": "ar",
    "de": "de",
    "es": "es",
    "fr": "fr",
    "ja": "ja",
    "ko": "ko",
    "pt": "pt",
    "ru": "ru",
    "zh-hans": "zh_CN",
    "zh-hant": "zh_TW",
}

# Codes whose records carry a historical name, and the name of today's state under that code
# where ISO's does not serve (other renamed states, Swaziland or Turkey, are found by ISO's
# names: Eswatini, Türkiye).
SUCCESSOR_CODES = {"SRB": "Serbia"}


@functools.cache
def _translation(language):
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[NAME_LANGUAGES[language]], fallback=True
    )


@functools.cache
def _iso_entry(code):
    return pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)


def _english_names(entry):
    names = [getattr(entry, attribute, "") for attribute in ("common_name", "name")]
    names.append(getattr(entry, "official_name", ""))
    return [name for name in dict.fromkeys(names) if name]


@functools.cache
def country_names(code):
    """{language: the country's common name in it} for every language of NAME_LANGUAGES that
    translates it, with "en" for ISO's English name; {} for a code without an ISO entry."""
    entry = _iso_entry(code)
    if entry is None:
        return {}
    english = _english_names(entry)
    names = {"en": SUCCESSOR_CODES.get(code, english[0])}
    for language in NAME_LANGUAGES:
        translation = _translation(language)
        # The common name where the language translates it, else the formal one.
        for name in english:
            translated = translation.gettext(name)
            if translated and translated not in english:
                names[language] = translated
                break
    return names


def normalise(text):
    """How names are compared: case folded, spacing collapsed."""
    return " ".join(text.casefold().split())


@functools.cache
def _names_index():
    """[(normalised name, code)] for every name of every ISO country in every language."""
    index = []
    entries = [*pycountry.countries, *pycountry.historic_countries]
    for entry in entries:
        code = entry.alpha_3
        english = _english_names(entry)
        names = set(english)
        if code in SUCCESSOR_CODES:
            names.add(SUCCESSOR_CODES[code])
        for language in NAME_LANGUAGES:
            translation = _translation(language)
            names.update(translation.gettext(name) for name in english)
        index.extend((normalise(name), code) for name in names if name)
    return index


def codes_named(text):
    """The ISO codes of the countries one of whose names, in any language, is `text` (case and
    spacing aside): `대한민국` -> {"KOR"}, `Serbia` -> {"SRB"}; empty for blank text. A whole
    name, not a word of one, so that "Republic" does not find every republic."""
    wanted = normalise(text or "")
    if not wanted:
        return set()
    return {code for name, code in _names_index() if name == wanted}
