"""Reading records as plain dicts: the read path of every list, detail, the dossier and search.

The output serializers stay the reference for what a record shows (and are what writes answer
with); walking them field by field for every nested object is what made a page cost ten times
its SQL. `plan_for(serializer_class, model)` compiles a serializer once into a `Plan`: the
columns to read with `.values()`, how each value is shown, and, for each nested field, the
related rows to read by ids (one query per relation, whatever the page size). `Plan.read(rows,
user, request)` then builds the same dicts the serializer would, with drafts hidden exactly as
`VisibleRefMixin` and `VisibleListSerializer` hide them.

A field added to a serializer (through the *_FIELDS lists beside the models) is read with no
change here. A field that is not a column, a relation or a nested serializer (a property, a link
built from the request) is declared once on the serializer's Meta as
`read_columns = {name: (columns, function(row, request))}`; a field computed from the whole
record and its related rows (a detail's `claims`) names a `read_relation` class: built with the
plan and the field's name, it may add columns to the plan's rows, and its `fetch(rows, reader)`
gives {pk: the field's value}. A field the plan cannot read fails
when the plan is compiled, so the two paths cannot drift apart silently (tests/api/test_reading.py
compares them on real records).
"""

from functools import cache

from django.conf import settings
from django.db.models import F
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from milidip.api.fields import (
    DayBoundField,
    PageUrlField,
    PartialDateField,
    VisibleListSerializer,
    VisibleRefMixin,
)
from milidip.api.prepared import Prepared, with_hole
from milidip.records import Status, can_see_drafts

OWNER = "read_owner"


# A record shown to every reader: published, or a model without a status.
PUBLISHED = str(Status.PUBLISHED.value)
SHOWN = frozenset((None, PUBLISHED))


def identity(value):
    return value


def partial_date(value):
    return value or None


def timestamp(value, zone=None):
    """A date-time as DRF's DateTimeField shows it (ISO 8601 in the current zone, Z for UTC);
    `zone`: the current zone, when the caller took it (a page shows a hundred date-times, and
    asking for the zone each time cost more than writing them)."""
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def converter(field):
    """How one plain field shows a non-null column value, as the field's to_representation."""
    if isinstance(field, PartialDateField):
        return partial_date
    if isinstance(field, DayBoundField):
        return field.day  # the same function as the field's to_representation
    if (
        isinstance(field, serializers.DateTimeField)
        and getattr(field, "format", empty) in (empty, None, api_settings.DATETIME_FORMAT)
        and api_settings.DATETIME_FORMAT == ISO_8601
        and getattr(field, "timezone", None) is None
        and settings.USE_TZ
    ):
        return timestamp
    if isinstance(field, serializers.FloatField):
        return float
    if (
        isinstance(field, serializers.DictField)
        and type(field.child) is serializers.JSONField
        and not field.child.binary
    ):
        # {str(key): child's value}: a JSON object parsed for this read already has string
        # keys, and a JSONField shows a parsed value as it is (a citation's `states`).
        return identity
    if isinstance(
        field,
        (
            serializers.CharField,
            serializers.ChoiceField,
            serializers.IntegerField,
            serializers.BooleanField,
            serializers.JSONField,
        ),
    ) and not isinstance(field, serializers.DecimalField):
        return identity
    return field.to_representation


class Reader:
    """One request's reading: who reads (drafts shown or not, asked once per model)."""

    def __init__(self, user, request=None):
        self.user = user
        self.request = request
        self.drafts = {}
        self.page_prefixes = {}
        self.zone = timezone.get_current_timezone()

    def page_url(self, model, path_prefix, identifier):
        """A record's page as PageUrlField shows it: absolute when there is a request."""
        if model not in self.page_prefixes:
            build = getattr(self.request, "build_absolute_uri", None)
            self.page_prefixes[model] = build(path_prefix) if build else path_prefix
        return f"{self.page_prefixes[model]}{identifier}/"

    def sees_drafts(self, model):
        if model not in self.drafts:
            self.drafts[model] = can_see_drafts(self.user, model)
        return self.drafts[model]


class Plan:
    """A serializer compiled against its model: see the module docstring."""

    def __init__(self, serializer, model):
        self.model = model
        self.serializer_class = type(serializer)
        self.columns = ["pk"]
        # The item's fields as Python expressions of (row, fetched, reader), made into one
        # function (`self.item`) once the plan is compiled; `self.constants` are the names
        # those expressions use.
        self.fields = []  # (output name, expression)
        self.constants = {}
        self.relations = []  # each with .fetch(rows, reader) -> lookup
        self.has_status = any(field.name == "status" for field in model._meta.concrete_fields)
        if self.has_status:
            self.column("status")
        self.visibility = None
        self.fk_indexes = {}
        self.pages = {}  # (ordering, extra columns): Prepared
        self.keyed = {}  # {unique field: Prepared, by its values}
        if isinstance(serializer, VisibleRefMixin):
            path = serializer.visibility_path
            self.visibility = path or "self"
        meta = getattr(serializer, "Meta", None)
        computed = getattr(meta, "read_columns", {})
        for name, field in serializer.fields.items():
            if name in computed:
                columns, function = computed[name]
                for column in columns:
                    self.column(column)
                self.fields.append((name, f"{self.constant(function)}(row, reader.request)"))
            else:
                self.fields.append((name, self.compile_field(name, field)))
        self.item = self.generate(self.fields)
        if self.visibility not in (None, "self"):
            self.path_index = self.fk_indexes[self.visibility]
            self.path_relation = self.relations[self.path_index]

    def column(self, name):
        if name not in self.columns:
            self.columns.append(name)
        return name

    def add_relation(self, relation):
        self.relations.append(relation)
        return len(self.relations) - 1

    def constant(self, value):
        """The name the generated code knows `value` by."""
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def generate(self, fields):
        """One function building an item's dict from its field expressions: a dict display
        costs a page of records a fraction of calling a function per field."""
        lines = [f"        {name!r}: {expression}," for name, expression in fields]
        source = "def item(row, fetched, reader):\n    return {\n" + "\n".join(lines) + "\n    }\n"
        namespace = dict(self.constants)
        exec(compile(source, f"<read plan of {self.serializer_class.__name__}>", "exec"), namespace)
        return namespace["item"]

    def compile_field(self, name, field):
        source = field.source
        if isinstance(field, PageUrlField):
            return self.page_url_step()
        relation_class = getattr(field, "read_relation", None)
        if relation_class is not None:
            # A field that declares how rows read it (a detail's `claims`): a relation of its
            # own, fetched for all rows at once ({pk: the field's value}).
            index = self.add_relation(relation_class(self, name))
            return f'fetched[{index}][row["pk"]]'
        if source == "*" and not isinstance(field, serializers.BaseSerializer):
            raise TypeError(
                f"{self.model.__name__}.{name}: a field of the whole record is read through "
                "its `read_relation`"
            )
        if isinstance(field, serializers.ListSerializer):
            index = self.add_relation(ListRelation(self.model, source, field))
            return f'fetched[{index}].get(row["pk"], [])'
        if isinstance(field, serializers.ManyRelatedField):
            relation = SlugListRelation(self.model, source, field.child_relation.slug_field)
            index = self.add_relation(relation)
            return f'fetched[{index}].get(row["pk"], [])'
        if isinstance(field, serializers.BaseSerializer) and source == "*":
            inner = [
                f"{inner_name!r}: {self.compile_field(inner_name, inner_field)}"
                for inner_name, inner_field in field.fields.items()
            ]
            return "{" + ", ".join(inner) + "}"
        if isinstance(field, (serializers.BaseSerializer, serializers.SlugRelatedField)):
            model_field = self.model._meta.get_field(source)
            if not model_field.many_to_one:
                raise TypeError(f"{self.model.__name__}.{source}: not a foreign key")
            if isinstance(field, serializers.SlugRelatedField):
                column = self.column(f"{model_field.name}__{field.slug_field}")
                return f"row[{column!r}]"
            attname = self.column(model_field.attname)
            relation = FkRelation(model_field, field, self)
            index = self.add_relation(relation)
            self.fk_indexes[name] = index
            return f"fetched[{index}].get(row[{attname!r}], (None,))[0]"
        if "." in source:
            raise TypeError(f"{self.model.__name__}: dotted source {source!r} is not read")
        model_field = self.model._meta.get_field(source)
        if not model_field.concrete or model_field.is_relation:
            raise TypeError(
                f"{self.model.__name__}.{source} is not a column: declare it in Meta.read_columns"
            )
        column = self.column(model_field.attname)
        convert = converter(field)
        if convert is identity:
            return f"row[{column!r}]"
        if convert is timestamp:
            name = self.constant(timestamp)
            return f"(None if (value := row[{column!r}]) is None else {name}(value, reader.zone))"
        return f"(None if (value := row[{column!r}]) is None else {self.constant(convert)}(value))"

    def page_url_step(self):
        """The record's page: its route with the record's code or slug (one reverse a model)."""
        names = {field.name for field in self.model._meta.concrete_fields}
        key = "slug" if "slug" in names else "code"
        column = self.column(key)
        path = self.model(**{key: "ZZZ"}).get_absolute_url()
        if not path.endswith("/ZZZ/"):
            raise TypeError(f"{self.model.__name__}: a page URL not ending in its {key}")
        prefix = path[: -len("ZZZ/")]
        model = self.constant(self.model)
        return f"reader.page_url({model}, {prefix!r}, row[{column!r}])"

    def values(self, queryset, *extra):
        """`queryset`'s records as rows holding every column this plan reads."""
        return queryset.prefetch_related(None).values(*self.columns, *extra)

    def by_keys(self, keys, field="pk"):
        """The records whose `field` (their id, or another unique field: a detail's slug or
        code) is one of `keys`, as rows holding every column this plan reads (in the model's
        order): one query compiled once per field (milidip.api.prepared)."""
        prepared = self.keyed.get(field)
        if prepared is None:
            prepared = self.keyed[field] = Prepared(
                lambda: self.values(with_hole(self.model._base_manager, field))
            )
        return prepared.by_keys(self.model._base_manager.db, keys)

    def page_rows(self, keys, ordering, extra=(), compiled=None):
        """The records whose ids `keys` (a values("pk") queryset: a page's, sorted and cut)
        gives, in `ordering` ([(name, descending)]), as rows holding every column this plan
        reads and `extra`: one query compiled once for each ordering (milidip.api.prepared)."""
        signature = (tuple(ordering), tuple(extra))
        prepared = self.pages.get(signature)
        if prepared is None:
            names = [("-" if descending else "") + name for name, descending in ordering]
            prepared = self.pages[signature] = Prepared(
                lambda: self.values(
                    with_hole(self.model._base_manager, "pk").order_by(*names),
                    *extra,
                )
            )
        return prepared.by_subquery(keys, compiled)

    def build(self, rows, reader):
        """[(dict as the serializer shows it, visible to the reader)] for each row."""
        fetched = [relation.fetch(rows, reader) for relation in self.relations]
        item = self.item
        if self.visibility is None:
            return [(item(row, fetched, reader), True) for row in rows]
        if self.visibility == "self":
            # Asked once for the reader, not for each row (a page's participants and citations
            # are hundreds of rows): every status shows to a reader who sees drafts.
            if reader.sees_drafts(self.model):
                return [(item(row, fetched, reader), True) for row in rows]
            return [(item(row, fetched, reader), row["status"] in SHOWN) for row in rows]
        # Shown with the record its visibility follows (a participant with its country): the
        # hidden ones among the page's few such records, found once, not once for each row.
        relation = self.path_relation
        if reader.sees_drafts(relation.target):
            return [(item(row, fetched, reader), True) for row in rows]
        targets = fetched[self.path_index]
        hidden = {key for key, (_, status) in targets.items() if status not in SHOWN}
        attname = relation.attname
        return [(item(row, fetched, reader), row[attname] not in hidden) for row in rows]

    def read(self, rows, user, request=None):
        """The records of `rows` (from `values()`) as the serializer shows them."""
        return [item for item, _ in self.build(rows, Reader(user, request))]


class FkRelation:
    """A nested serializer of the record a foreign key points at.

    Read by a join in the parent's query (as select_related would) when the nested serializer
    has no relations of its own, else by ids in one more query. Fetched as {id: (dict, or None
    when hidden; the record's status)}.
    """

    def __init__(self, model_field, field, parent):
        self.attname = model_field.attname
        self.target = model_field.related_model
        self.plan = plan_for(type(field), self.target)
        self.joined = not self.plan.relations
        if self.joined:
            # The target's pk is the foreign key's own column: not joined a second time.
            self.columns = [
                (
                    self.attname
                    if column == "pk"
                    else parent.column(f"{model_field.name}__{column}"),
                    column,
                )
                for column in self.plan.columns
            ]

    def fetch(self, rows, reader):
        if self.joined:
            targets = {}
            for row in rows:
                key = row[self.attname]
                if key is not None and key not in targets:
                    targets[key] = {column: row[joined] for joined, column in self.columns}
            targets = list(targets.values())
        else:
            ids = {row[self.attname] for row in rows} - {None}
            if not ids:
                return {}
            targets = self.plan.by_keys(sorted(ids))
        built = self.plan.build(targets, reader)
        return {
            row["pk"]: (item if visible else None, row.get("status"))
            for row, (item, visible) in zip(targets, built, strict=True)
        }


def related_lookup(model, source):
    """(related model, lookup from it back to `model`) of a to-many relation named `source`."""
    relation = model._meta.get_field(source)
    if relation.many_to_many and relation.concrete:
        return relation.related_model, relation.related_query_name()
    if relation.many_to_many or relation.one_to_many:
        return relation.related_model, relation.field.name
    raise TypeError(f"{model.__name__}.{source}: not a to-many relation")


def within_owner(ordering, lookup):
    """A related model's ordering less its terms through the owner (`lookup`): rows are grouped
    by owner, and those terms are the same within a group. A participant's ordering ("exercise",
    "country") sorted every page's participants by their exercise's start, name and slug, a
    join and a sort the database did for nothing."""
    owner = lookup.split(LOOKUP_SEP)[0]
    return [
        term
        for term in ordering
        if not (isinstance(term, str) and term.lstrip("-").split(LOOKUP_SEP)[0] == owner)
    ]


class ListRelation:
    """A many=True nested serializer: the related rows, in their model's order, by owner."""

    def __init__(self, model, source, field):
        self.target, self.lookup = related_lookup(model, source)
        self.plan = plan_for(type(field.child), self.target)
        self.leave_out_hidden = isinstance(field, VisibleListSerializer)
        self.ordering = within_owner(self.target._meta.ordering, self.lookup)
        self.prepared = Prepared(self.build)

    def build(self):
        queryset = with_hole(self.target._default_manager, self.lookup)
        queryset = queryset.order_by(*self.ordering)
        return queryset.annotate(**{OWNER: F(self.lookup)}).values(*self.plan.columns, OWNER)

    def fetch(self, rows, reader):
        ids = [row["pk"] for row in rows]
        if not ids:
            return {}
        related = self.prepared.by_keys(self.target._default_manager.db, ids)
        grouped = {}
        for row, (item, visible) in zip(related, self.plan.build(related, reader), strict=True):
            if not visible:
                if self.leave_out_hidden:
                    continue
                item = None
            grouped.setdefault(row[OWNER], []).append(item)
        return grouped


class SlugListRelation:
    """A many=True related field shown as slugs (or codes), in the related model's order."""

    def __init__(self, model, source, slug_field):
        self.target, self.lookup = related_lookup(model, source)
        self.slug_field = slug_field
        self.prepared = Prepared(
            lambda: with_hole(self.target._default_manager, self.lookup).values(
                self.lookup, self.slug_field
            )
        )

    def fetch(self, rows, reader):
        ids = [row["pk"] for row in rows]
        if not ids:
            return {}
        grouped = {}
        lookup, slug_field = self.lookup, self.slug_field
        for pair in self.prepared.by_keys(self.target._default_manager.db, ids):
            grouped.setdefault(pair[lookup], []).append(pair[slug_field])
        return grouped


@cache
def plan_for(serializer_class, model=None):
    """The compiled plan of a serializer class (once per process)."""
    if model is None:
        model = serializer_class.Meta.model
    return Plan(serializer_class(), model)


def read_records(serializer_class, queryset, user, request=None):
    """Every record of `queryset`, as `serializer_class` shows it to `user`."""
    plan = plan_for(serializer_class, queryset.model)
    return plan.read(list(plan.values(queryset)), user, request)
