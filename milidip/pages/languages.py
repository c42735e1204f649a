"""Which language a page names countries in: `?lang=` first, then the Accept-Language header.

Only the names of countries change (alliances.names); the page's own words are English, marked
for translation ({% translate %}).
"""

from django.utils.translation.trans_real import parse_accept_lang_header

from alliances.names import NAME_LANGUAGES

# Tags readers send, mapped onto the languages names come in.
ALIASES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
}


def known_language(tag):
    """The language of NAME_LANGUAGES (or "en") a tag such as `ko-KR` means, else None."""
    tag = (tag or "").strip().lower()
    if tag in NAME_LANGUAGES or tag == "en":
        return tag
    if tag in ALIASES:
        return ALIASES[tag]
    primary = tag.split("-")[0]
    if primary in NAME_LANGUAGES or primary == "en":
        return primary
    return ALIASES.get(primary)


def page_language(request):
    """The language the reader asked for (`?lang=`, else Accept-Language); "en" by default."""
    chosen = known_language(request.GET.get("lang"))
    if chosen:
        return chosen
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        chosen = known_language(tag)
        if chosen:
            return chosen
    return "en"
