"""The public pages: home, search, a list and a page per record of every resource.

Pages hide what the API hides (`visible_to`): a draft is a 404 to the public, a retracted record
is a 410 that shows the retraction and its reason. Lists take the API's filters (the same
FilterSets) and page by `page`. Every response says which language its country names are in
(`?lang=` or Accept-Language, milidip.pages.languages) and varies on Accept-Language; freshness
is decided by `page_response` (one place: ETag from ContentEtagMiddleware, Django's conditional
GETs, which answers 304 on a match).
"""

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from alliances.filters import search_countries
from alliances.models import Country
from milidip.pages.jsonld import record_jsonld
from milidip.pages.languages import page_language
from milidip.pages.records import (
    CONTEXTS,
    KINDS,
    citation_rows,
    citations_of,
    disagreements_of,
    find_record,
)
from milidip.records import Status, can_see_drafts, visible_to
from milidip.search import SEARCH_MAX_LENGTH, check_search_terms, search_queryset
from milidip.sources.merges import redirect_slug
from milidip.sources.models import Source
from milidip.versions import READ_VERSION

# The languages pages name countries in, each in its own words, for the footer's links.
NAME_LANGUAGE_LABELS = [
    ("en", "English"),
    ("ar", "العربية"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
PAGE_SIZE = 50
SEARCH_LIMIT = 20
# Parameters the pages take besides each list's filters.
PAGE_PARAMETERS = {"page", "lang"}


def page_response(request, template, context, status=200):
    """Render a page with what every page carries, and the caching every page has: public
    for anonymous readers (they see published records only), private otherwise; the ETag and
    304 come from ContentEtagMiddleware (settings.MIDDLEWARE), so a data-version ETag can
    replace it here alone."""
    language = page_language(request)
    context = {
        "language": language,
        "kinds": KINDS,
        "name_languages": NAME_LANGUAGE_LABELS,
        **context,
    }
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response


def problem_page(request, status, title, message):
    return page_response(
        request, "pages/problem.html", {"title": title, "message": message}, status=status
    )


def not_found(request, what):
    return problem_page(request, 404, "Not found", f"There is no public {what} here.")


def home(request):
    user = request.user
    collections = [
        {"kind": kind, "total": visible_to(user, kind.model.objects.all()).count()}
        for kind in KINDS.values()
    ]
    sources = visible_to(user, Source.objects.all()).order_by("collection", "slug")
    return page_response(
        request,
        "pages/home.html",
        {"collections": collections, "sources": sources, "alternate": "/api/v1/"},
    )


def search(request):
    """Search every resource, as /api/v1/search/ does: `q`, the first hits of each kind."""
    query = request.GET.get("q", "").strip()
    groups = []
    if query:
        if len(query) > SEARCH_MAX_LENGTH:
            return problem_page(
                request, 400, "Search too long", f"q: at most {SEARCH_MAX_LENGTH} characters."
            )
        try:
            check_search_terms(query)
        except ValidationError as error:
            return problem_page(request, 400, "Search too long", f"q: {' '.join(error.messages)}")
        for kind in KINDS.values():
            records = visible_to(request.user, kind.model.objects.all())
            if kind.model is Country:
                records = search_countries(records, query)
            else:
                records = search_queryset(records, query, kind.filterset.search_fields)
            hits = list(records[: SEARCH_LIMIT + 1])
            if hits:
                more = kind.list_url(search=query) if len(hits) > SEARCH_LIMIT else None
                groups.append({"kind": kind, "hits": hits[:SEARCH_LIMIT], "more": more})
    return page_response(
        request,
        "pages/search.html",
        {"query": query, "groups": groups, "total": sum(len(g["hits"]) for g in groups)},
    )


def record_list(request, kind_name):
    """A resource's list page: the API's filters (its FilterSet), PAGE_SIZE records a page."""
    kind = KINDS[kind_name]
    params = request.GET.copy()
    for name in PAGE_PARAMETERS:
        params.pop(name, None)
    unknown = sorted(set(params) - set(kind.filterset.base_filters))
    if unknown:
        return problem_page(
            request,
            400,
            "Unknown filter",
            f"{', '.join(unknown)}: not a filter of {kind.plural}; use any of "
            f"{', '.join(sorted(kind.filterset.base_filters))}.",
        )
    queryset = visible_to(request.user, kind.model.objects.all())
    if kind.list_related:
        queryset = queryset.select_related(*kind.list_related)
    filterset = kind.filterset(data=params, queryset=queryset, request=request)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        return problem_page(request, 400, "Bad filter", problems)
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage) as error:
        return problem_page(request, 400, "No such page", f"page: {error}")
    query = params.urlencode()
    return page_response(
        request,
        "pages/list.html",
        {
            "kind": kind,
            "page": page,
            "filters": [(name, value) for name, values in params.lists() for value in values],
            "query": query,
            "alternate": kind.api_url() + (f"?{query}" if query else ""),
            "csv": kind.api_url() + f"?{query}{'&' if query else ''}format=csv",
        },
    )


def moved(request, kind, slug, curator):
    """The 301 from a merged record's slug (or an ATOP/COW alias) to the page of the record it
    now is (milidip.sources.merges.redirect_slug, as the API's routes do), keeping the query
    string; None when the slug leads nowhere the reader may go (never to a draft for the
    public; a retracted record's page says so itself)."""
    if kind.lookup != "slug":
        return None
    readable = kind.model.objects.all()
    if not curator:
        readable = readable.exclude(status=Status.DRAFT)
    target = redirect_slug(kind.model, slug, queryset=readable)
    if target is None:
        return None
    location = reverse(f"pages:{kind.name}", kwargs={"key": target})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)


def record_detail(request, kind_name, key):
    """A record's page; 404 for a draft the reader may not see, 410 for a retracted record."""
    kind = KINDS[kind_name]
    record = find_record(kind, key, request.user)
    curator = can_see_drafts(request.user, kind.model)
    if record is None:
        # A slug merged into another record answers 301 to it (a draft's slug never was).
        return moved(request, kind, key, curator) or not_found(request, kind.label.lower())
    api_url = kind.api_url(record)
    context = {
        "kind": kind,
        "record": record,
        "alternate": api_url,
        "csv": f"{api_url}?format=csv",
    }
    if record.status == Status.RETRACTED and not curator:
        return page_response(request, "pages/retracted.html", context, status=410)
    context["citations"] = citations_of(record, request.user) if kind.model is not Source else []
    context["citation_rows"] = citation_rows(context["citations"])
    context["disagreements"] = disagreements_of(record, context["citations"])
    # The data version an anonymous read began at (milidip.api.caching): a group's count is
    # kept under it.
    version = request.META.get(READ_VERSION)
    context.update(CONTEXTS[kind_name](record, request.user, timezone.now().year, version))
    context["jsonld"] = record_jsonld(request, kind, record, context)
    if kind.model is Country:
        language = page_language(request)
        context["local_name"] = record.names.get(language) if language != "en" else None
    return page_response(request, f"pages/{kind_name}.html", context)
