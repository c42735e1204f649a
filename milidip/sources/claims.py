"""Claims: each source's value for each field of a record, and the one the record shows.

A claim is what one citation states about one field (`Citation.states`): `{"defence": true}`
from an ATOP row, `{"start": "1953"}` from an article's quote. Rows that hang off a record are
claimed through it by a path: `members/KOR/defence` is South Korea's membership's defence (a
country's second spell of membership in the same alliance is `members/KOR~2/...`). A model
declares which rows it claims in `claim_rows` ({prefix: (related name, key lookup, filter)}).

The value shown is **derived**, by one function every door calls (`derive`: imports, the
admin, the API's writes, CSV import, a curator's resolution):

1. a curator's `Resolution` of the field, if there is one;
2. else the first claim in the order of the field's collections in the precedence table
   (seeds/datasets/precedence.toml, with the reason for each order); a later claim that agrees
   with it at a finer precision refines it ("1953", then "1953-10-01"). A value that would not
   validate (a start after the record's end) is not written: the record keeps its value, and
   the field is disputed until a curator resolves it;
3. a field no citation states keeps the value it has (a curator's, "uncited").

Claims that disagree (other than by precision) with no resolution are a **conflict**: listed in
the record's `disputed` and in the `Conflict` table (the admin's "Open conflicts"). Imports
never overwrite another source's claim: each writes only its own citations' states.
"""

import functools
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

PRECEDENCE_FILE = "datasets/precedence.toml"
ROW_SEPARATOR = "/"
SPELL_SEPARATOR = "~"
MAX_STATES = 100


@dataclass(frozen=True)
class Rule:
    """A field's precedence: its collections in order, and why."""

    order: tuple
    reason: str

    def rank(self, collection):
        return self.order.index(collection) if collection in self.order else len(self.order)


@functools.cache
def precedence():
    """The precedence table: {model label: {field or "members.<field>": Rule}}."""
    path = Path(settings.SEEDS_DIR) / PRECEDENCE_FILE
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = {}
    for entry in table["rule"]:
        rule = Rule(tuple(entry["order"]), entry["reason"])
        for name in entry["fields"]:
            rules.setdefault(entry["model"], {})[name] = rule
    return rules


def rules_for(model):
    return precedence().get(model._meta.label_lower, {})


def split_key(key):
    """(row prefix, row key, field) of a claim's key; prefix and row key are "" for a field of
    the record itself."""
    parts = key.split(ROW_SEPARATOR)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return "", "", key


def rule_name(key):
    """The precedence table's name of a key's field: "defence", "members.defence"."""
    prefix, _, field = split_key(key)
    return f"{prefix}.{field}" if prefix else field


def rule_for(model, key):
    return rules_for(model).get(rule_name(key))


def states_problems(model, states):
    """What is wrong with a citation's `states` for a record of `model` ([] if nothing): each
    key must name a field the precedence table claims (so that it exists and has a rule)."""
    if not isinstance(states, dict):
        return ['Give an object of field names and values, e.g. {"defence": true}.']
    if len(states) > MAX_STATES:
        return [f"At most {MAX_STATES} stated fields."]
    problems = []
    rules = rules_for(model)
    for key, value in states.items():
        prefix, row_key, _ = split_key(key)
        if rule_name(key) not in rules or (prefix and not row_key):
            claimed = ", ".join(sorted(rules)) or "none"
            rows = "".join(
                f"; a row's field as {name}/<country code>/<field>" for name in model.claim_rows
            )
            problems.append(
                f"{key!r} is not a field a source can state for a {model._meta.verbose_name} "
                f"(claimable: {claimed}{rows})."
            )
        elif value is not None and not isinstance(value, str | bool | int):
            problems.append(f"{key!r}: state a string, a boolean or a number, not {value!r}.")
    return problems


def finer(value, other):
    """Whether `other` says what `value` says at a finer precision ("1953" -> "1953-10")."""
    return isinstance(value, str) and isinstance(other, str) and other.startswith(value + "-")


def agree(a, b):
    return a == b or finer(a, b) or finer(b, a)


@dataclass
class Claim:
    source: object
    quote: str
    locator: str
    value: object
    order: int

    def as_json(self):
        claim = {
            "source": self.source.slug,
            "collection": self.source.collection,
            "value": self.value,
        }
        if self.quote:
            claim["quote"] = self.quote
        else:
            claim["locator"] = self.locator
        return claim


# How a claimed field's shown value was chosen (`rule` in a record's `claims`), with its label
# (also in /api/v1/vocabulary/).
RULES = {
    "curator": "A curator's resolution",
    "agreed": "The sources agree (at most differing in precision)",
    "precedence": "The sources disagree; the field's precedence chose (the field is disputed)",
}


@dataclass
class Field:
    """One claimed field of a record: its claims in precedence order and the value shown."""

    key: str
    claims: list
    shown: object
    rule: str
    disputed: bool

    def as_json(self):
        return {
            "shown": self.shown,
            "rule": self.rule,
            "claims": [claim.as_json() for claim in self.claims],
        }


def decide(model, key, claims, resolution, rule=None):
    """The shown value of one field from its claims and a curator's resolution (or None);
    `rule` is the field's (rule_for), when the caller has it."""
    rule = rule or rule_for(model, key)
    claims = sorted(claims, key=lambda claim: (rule.rank(claim.source.collection), claim.order))
    if resolution is not None:
        return Field(key, claims, resolution.value, "curator", False)
    shown = claims[0].value
    for claim in claims[1:]:
        if finer(shown, claim.value):
            shown = claim.value
    disputed = any(not agree(claim.value, shown) for claim in claims)
    return Field(key, claims, shown, "precedence" if disputed else "agreed", disputed)


def stated_by_key(model, citations):
    """({key: [(order, citation, value)] in citation order}, {key: its rule}): what `citations`
    state about a record of `model`, for the keys the precedence table has a rule for."""
    rules = {}  # key -> its rule, or None: an alliance's page reads hundreds of claims
    by_key = defaultdict(list)
    for order, citation in enumerate(sorted(citations, key=lambda c: c.pk or 0)):
        for key, value in (citation.states or {}).items():
            rule = rules[key] if key in rules else rules.setdefault(key, rule_for(model, key))
            if rule is not None:
                by_key[key].append((order, citation, value))
    return by_key, rules


def claims_of(stated):
    """The Claims of one key's statements (as stated_by_key gives them)."""
    return [
        Claim(citation.source, citation.quote, citation.locator, value, order)
        for order, citation, value in stated
    ]


def fields_of(record, resolutions=None, citations=None, *, model=None):
    """{key: Field} of a record, from its citations as loaded (prefetch them with their
    sources), or those given (a page's, already filtered to what its reader may see), and its
    resolutions ({key: Resolution}; none when not given). With `model`, `record` is not read:
    `citations` are given, as objects with a citation's pk, states, quote, locator and source
    (its slug, collection and status), and resolutions as objects with a `value`."""
    model = model or type(record)
    citations = record.citations.all() if citations is None else citations
    by_key, rules = stated_by_key(model, citations)
    resolutions = resolutions or {}
    for key in resolutions:
        by_key.setdefault(key, [])  # a curator's value counts even where no source states one
    return {
        key: decide(model, key, claims_of(stated), resolutions.get(key), rules.get(key))
        for key, stated in by_key.items()
    }


def held(record, fields, *, model=None, stored=None):
    """Where a record's own field does not hold the value its rule chose (that value would not
    validate: an exercise's start after the end another row gives), the field shows the value
    the record holds and is disputed, for a curator to resolve. `fields` as from `fields_of`.
    With `model`, `stored` gives the record's values by column (attname) instead of `record`."""
    model = model or type(record)
    value_of = stored or functools.partial(getattr, record)
    for key, field in fields.items():
        prefix, _, name = split_key(key)
        if prefix or field.rule == "curator":
            continue
        stored_value = value_of(model._meta.get_field(name).attname)
        if stored_value != field.shown:
            field.shown, field.rule, field.disputed = stored_value, "precedence", True
    return fields


def resolutions_of(record):
    """{field: Resolution} of one record: one query."""
    from milidip.sources.models import Resolution  # (the models import this module)

    content_type = ContentType.objects.get_for_model(type(record))
    # Unordered: a dict keyed by field needs no order, and compiling the model's cost more
    # than the query took.
    resolutions = Resolution.objects.filter(content_type=content_type, object_id=record.pk)
    return {resolution.field: resolution for resolution in resolutions.order_by()}


def disagreements(record, citations):
    """The fields of `record` whose sources disagree (other than by precision), from the
    citations given (those its reader may see, with their sources): a field disputed under
    the precedence rule, or one a curator resolved, in key order. [] for a model no rule
    names."""
    model = type(record)
    if model not in claimed_models():
        return []
    by_key, rules = stated_by_key(model, citations)
    if not by_key:
        return []  # no source states a field: none to disagree on, nor to resolve
    resolutions = resolutions_of(record)
    # Only a field whose claims differ, or one a curator resolved, can be listed: the others
    # (most: an alliance's dozens of dataset rows state hundreds of fields, five disagree)
    # show the one value all their claims state, and are not decided one by one.
    fields = {
        key: decide(model, key, claims_of(stated), resolutions.get(key), rules[key])
        for key, stated in by_key.items()
        if key in resolutions or any(value != stated[0][2] for _, _, value in stated)
    }
    shown = {
        key: field
        for key, field in fields.items()
        if any(not agree(claim.value, field.shown) for claim in field.claims)
    }
    # The value shown is the one the record holds (held), for the fields listed only: a claim
    # the reader may not see can decide a field whose visible claims agree.
    return [field for _, field in sorted(held(record, shown).items())]


def claimed_models():
    """The record models the precedence table names."""
    from django.apps import apps

    return [apps.get_model(label) for label in precedence()]


def drop_resolutions(sender, instance, **kwargs):
    """post_delete of a claimed model: the curators' resolutions of a record deleted outright go
    with it, each deletion in the resolution's history (a merge has moved them already). Left,
    they would be orphans, and a new record given the same id would inherit them."""
    from milidip.sources.models import Resolution

    content_type = ContentType.objects.get_for_model(sender)
    user = getattr(instance, "_history_user", None)
    for resolution in Resolution.objects.filter(content_type=content_type, object_id=instance.pk):
        if user is not None:
            resolution._history_user = user
        # (100: simple-history's change reason column)
        resolution._change_reason = f"dropped: {resolution.record_label} was deleted"[:100]
        resolution.delete()


def connect_resolution_drops():
    for model in claimed_models():
        post_delete.connect(drop_resolutions, sender=model, dispatch_uid=f"drop-{model._meta}")


def row_groups(record, rows):
    """{prefix: {row key: [rows in order of start]}} for the rows a model claims through it."""
    groups = {}
    for prefix, (_, key_lookup, _) in type(record).claim_rows.items():
        grouped = defaultdict(list)
        for row in rows.get(prefix, ()):
            value = row
            for part in key_lookup.split("__"):
                value = getattr(value, part)
            grouped[value].append(row)
        for spells in grouped.values():
            spells.sort(key=lambda row: (row.start or "9999", row.pk))
        groups[prefix] = grouped
    return groups


def target(groups, key):
    """The row a key names ("members/KOR~2/end": South Korea's second membership), or None."""
    prefix, row_key, _ = split_key(key)
    code, _, spell = row_key.partition(SPELL_SEPARATOR)
    spells = groups.get(prefix, {}).get(code, [])
    index = int(spell) - 1 if spell.isdigit() else 0
    return spells[index] if 0 <= index < len(spells) else None


def spell_key(prefix, code, spell, field):
    """A row's claim key: the first spell plainly, later ones numbered."""
    row = code if spell <= 1 else f"{code}{SPELL_SEPARATOR}{spell}"
    return ROW_SEPARATOR.join((prefix, row, field))


def _valid(instance):
    # Relations are not checked (each would cost a query, and derive never changes them).
    related = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    try:
        instance.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
    except ValidationError:
        return False
    return True


def _values(instance):
    """{field name: value} of an instance's own columns (relations aside)."""
    return {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.is_relation and not field.primary_key
    }


def _restore(instance, values):
    for name, value in values.items():
        setattr(instance, instance._meta.get_field(name).attname, value)


def _unique_start(row, siblings):
    return not any(
        other is not row
        and (other.country_id, other.role, other.start) == (row.country_id, row.role, row.start)
        for other in siblings
    )


@transaction.atomic
def derive(model, pks, *, user=None, change_reason=None):
    """Set the shown value of every claimed field of the records `pks` of `model`, rewrite
    their open conflicts and `disputed`; returns the changes as (record or row, {field: value
    before}, {field: value after}).

    The one function every door calls after a write (see the module docstring). A value that
    would not validate (a membership start another spell has) is left as it was, still listed
    as a conflict if the claims disagree.
    """
    if model._meta.label_lower not in precedence():
        return []
    content_type = ContentType.objects.get_for_model(model)
    changes = []
    pks = list(pks)
    for start in range(0, len(pks), 500):
        batch = pks[start : start + 500]
        changes += _derive_batch(model, content_type, batch, user, change_reason)
    return changes


def _derive_batch(model, content_type, pks, user, change_reason):
    from django.db.models import Prefetch

    from milidip.sources.models import Conflict, Resolution

    citation_model = model.citations.rel.related_model
    prefetches = [Prefetch("citations", queryset=citation_model.objects.select_related("source"))]
    for related_name, key_lookup, filters in model.claim_rows.values():
        row_model = model._meta.get_field(related_name).related_model
        prefetches.append(
            Prefetch(
                related_name,
                queryset=row_model.objects.filter(**filters).select_related(
                    key_lookup.split("__")[0]
                ),
            )
        )
    records = list(model.objects.filter(pk__in=pks).prefetch_related(*prefetches))
    resolutions = defaultdict(dict)
    for resolution in Resolution.objects.filter(content_type=content_type, object_id__in=pks):
        resolutions[resolution.object_id][resolution.field] = resolution
    changed_records, conflicts = [], []
    changed_rows, row_fields = defaultdict(list), defaultdict(set)
    changes = defaultdict(lambda: ({}, {}))
    names = {"disputed"}
    for record in records:
        fields = fields_of(record, resolutions[record.pk])
        rows = {
            prefix: list(getattr(record, related_name).all())
            for prefix, (related_name, _, _) in model.claim_rows.items()
        }
        groups = row_groups(record, rows)
        record_changed = False
        for key, field in sorted(fields.items()):
            prefix, _, name = split_key(key)
            instance = record if not prefix else target(groups, key)
            if instance is None:
                continue
            attname = instance._meta.get_field(name).attname
            if getattr(instance, attname) == field.shown:
                continue
            stored = _values(instance)
            setattr(instance, attname, field.shown)
            valid = _valid(instance)
            if valid and prefix and name == "start":
                valid = _unique_start(instance, rows[prefix])
            if not valid:
                _restore(instance, stored)
                continue
            # What the model's clean() derives from the value joins it (a mission given an
            # end has ended, and its end kind says so), so the two are written together.
            written = [name for name, value in _values(instance).items() if value != stored[name]]
            was, now = changes[instance._meta.label, instance.pk, id(instance)]
            for written_name in written:
                was.setdefault(written_name, stored[written_name])
                now[written_name] = getattr(instance, written_name)
            if prefix:
                if instance not in changed_rows[prefix]:
                    changed_rows[prefix].append(instance)
                row_fields[prefix].update(written)
            else:
                record_changed = True
                names.update(written)
        held(record, fields)
        disputed = sorted(key for key, field in fields.items() if field.disputed)
        if disputed != record.disputed:
            record.disputed = disputed
            record_changed = True
        if record_changed:
            changed_records.append(record)
        for key in disputed:
            field = fields[key]
            conflicts.append(
                Conflict(
                    content_type=content_type,
                    object_id=record.pk,
                    record_label=str(record)[:300],
                    field=key,
                    rule=rule_name(key),
                    shown=field.shown,
                    claims=[claim.as_json() for claim in field.claims],
                )
            )
    now = timezone.now()
    _write(model, changed_records, names, now, user, change_reason)
    for prefix, instances in changed_rows.items():
        related_name = model.claim_rows[prefix][0]
        row_model = model._meta.get_field(related_name).related_model
        _write(row_model, instances, row_fields[prefix], now, user, change_reason)
    Conflict.objects.filter(content_type=content_type, object_id__in=pks).delete()
    Conflict.objects.bulk_create(conflicts)
    instances = {id(instance): instance for instance in changed_records}
    for rows in changed_rows.values():
        instances.update((id(row), row) for row in rows)
    return [(instances[key[2]], was, now) for key, (was, now) in changes.items()]


def derive_saved(record, fields, user):
    """Re-derive a record just saved (run by milidip.services.record_save, every door). A
    value the writer set that the claims decide otherwise is refused: the writer cites a
    source stating it, or resolves the field (the admin's open conflicts) with a reason."""
    model = type(record)
    claimed = [name for name in rules_for(model) if "." not in name]
    if not claimed:
        return
    derive(model, [record.pk], user=user)
    fresh = model.objects.get(pk=record.pk)
    overruled = {
        name: [
            f"Its sources' claims decide this field (shown: {getattr(fresh, name)!r}): cite a "
            "source that states your value, or resolve the field in the admin's open "
            "conflicts with a reason."
        ]
        for name, value in fields.items()
        if name in claimed and getattr(fresh, name) != value
    }
    if overruled:
        raise ValidationError(overruled)
    for name in ("disputed", "updated", *claimed):
        setattr(record, name, getattr(fresh, name))


@transaction.atomic
def resolve(*, record, field, value, reason, user, source=None):
    """A curator's choice of the value `record` shows for `field` (a claim's value, or one no
    source states), with a reason; kept with history, first in the field's rule from now on,
    through every later import. Returns the Resolution."""
    from milidip.sources.models import Resolution

    model = type(record)
    if rule_for(model, field) is None:
        raise ValidationError({"field": states_problems(model, {field: value})})
    content_type = ContentType.objects.get_for_model(model)
    resolution = Resolution.objects.filter(
        content_type=content_type, object_id=record.pk, field=field
    ).first() or Resolution(content_type=content_type, object_id=record.pk, field=field)
    resolution.record_label = str(record)[:300]
    resolution.value, resolution.source, resolution.reason = value, source, reason.strip()
    resolution.decided_by, resolution.decided_at = user, timezone.now()
    resolution._history_user = user
    resolution.full_clean()
    resolution.save()
    derive(model, [record.pk], user=user, change_reason=f"resolved {field}")
    if shown_value(model.objects.get(pk=record.pk), field) != value:
        raise ValidationError(
            {"value": f"{value!r} is not a value {field} can take (or no row has that field)."}
        )
    return resolution


def shown_value(record, key):
    """The value `record` shows for a claim key (a row's field through its path)."""
    prefix, _, name = split_key(key)
    if not prefix:
        return getattr(record, record._meta.get_field(name).attname)
    related_name, _, filters = type(record).claim_rows[prefix]
    rows = {prefix: list(getattr(record, related_name).filter(**filters))}
    row = target(row_groups(record, rows), key)
    return None if row is None else getattr(row, row._meta.get_field(name).attname)


def disputed_q(model, name):
    """A Q for the records of `model` with an open conflict on `name`: a claim key
    ("members/KOR/defence") or a precedence-table name ("defence", "members.end": any
    member's). Indexed (Conflict's content type, field or rule, and record)."""
    from django.db.models import Q

    from milidip.sources.models import Conflict

    content_type = ContentType.objects.get_for_model(model)
    lookup = {"field": name} if ROW_SEPARATOR in name else {"rule": name}
    return Q(
        pk__in=Conflict.objects.filter(content_type=content_type, **lookup).values("object_id")
    )


def disputed_name_problems(model, name):
    """Why `name` cannot be a `disputed` filter value for `model` ([] when it can)."""
    if ROW_SEPARATOR in name:
        return states_problems(model, {name: None})
    if name not in rules_for(model):
        names = ", ".join(sorted(rules_for(model)))
        examples = [
            f"{prefix}/KOR/{field}"
            for prefix, _, field in (
                rule.partition(".") for rule in sorted(rules_for(model)) if "." in rule
            )
        ]
        keys = f", or a claim key such as {examples[0]}" if examples else ""
        return [f"{name!r} is not a claimed field; one of: {names}{keys}."]
    return []


def derive_all(**options):
    """Derive every record of every claimed model (after fixtures are loaded)."""
    for model in claimed_models():
        derive(model, model.objects.values_list("pk", flat=True), **options)


def _write(model, instances, names, now, user, change_reason):
    """Save the changed fields of `instances` with history (one entry each)."""
    from milidip.records import UpdatedAtField, last_history_id, snapshot_m2m_history

    if not instances:
        return
    names = set(names)
    for field in model._meta.concrete_fields:
        if isinstance(field, UpdatedAtField):
            names.add(field.name)
            for instance in instances:
                setattr(instance, field.attname, now)
    for instance in instances:
        instance._history_user = user
    since = last_history_id(model)
    bulk_update_with_history(
        instances,
        model,
        sorted(names),
        batch_size=500,
        default_user=user,
        default_change_reason=change_reason or "derive claims",
    )
    # The entries keep the record's many-to-many links (a mission's hosts), as a save's do.
    snapshot_m2m_history(model, since)
