"""Exercises, missions and the security challenges they respond to.

Domains and purposes of exercises are small fixed vocabularies kept as tables (created by a data
migration from DOMAINS and PURPOSES), so an exercise can have several and a filter on one is an
indexed join on either database.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from alliances.models import Alliance, Country, Treaty
from milidip.dates import (
    PartialDateField,
    coverage_end_field,
    derive_end_kind,
    end_kind_field,
    not_before_q,
)
from milidip.records import SlugRecord, UpdatedAtField, disputed_field, record_url
from milidip.sources.models import Citation

DOMAINS = {
    "land": "Land",
    "sea": "Sea",
    "air": "Air",
    "cyber": "Cyber",
    "space": "Space",
    "amphibious": "Amphibious",
    "command-post": "Command post (computer-simulated)",
    "special-operations": "Special operations",
}

PURPOSES = {
    "deterrence": "Deterrence",
    "interoperability": "Interoperability",
    "readiness": "Combat readiness",
    "humanitarian": "Humanitarian assistance and disaster relief",
    "missile-defence": "Missile defence",
    "maritime-security": "Maritime security",
    "counter-terrorism": "Counter-terrorism",
    "peacekeeping": "Peacekeeping training",
    "confidence-building": "Confidence building",
    "warfighting": "Warfighting",
}

# Each record's own fields (status, timestamps and citations, which every record has, aside), in
# the order the API shows them. The API's output and input, the CSV columns and the admin's form
# take theirs from here (milidip.records.field_list), so a new field is declared once.
EXERCISE_FIELDS = [
    "slug",
    "name",
    "kind",
    "series",
    "alliance",
    "participants",
    "domains",
    "purposes",
    "start",
    "end",
    "location",
    "latitude",
    "longitude",
    "description",
    "mme_id",
    "mme_series",
]
MISSION_FIELDS = [
    "slug",
    "name",
    "short_name",
    "kind",
    "un_acronym",
    "organisation",
    "part_of",
    "deployments",
    "hosts",
    "contributions",
    "locations",
    "start",
    "end",
    "ended",
    "end_kind",
    "coverage_end",
    "active",
    "description",
]
CHALLENGE_FIELDS = [
    "slug",
    "name",
    "category",
    "description",
    "responses",
    "start",
    "end",
    "countries",
    "alliances",
    "treaties",
    "missions",
    "exercises",
]


class VocabularyManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Vocabulary(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)

    objects = VocabularyManager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Domain(Vocabulary):
    """Where an exercise is fought: land, sea, air, cyber, space ..."""


class Purpose(Vocabulary):
    """What an exercise is for: deterrence, interoperability ..."""


def coordinate_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_range",
        ),
    ]


def coordinate_fields():
    return (
        models.DecimalField(
            max_digits=8,
            decimal_places=5,
            null=True,
            blank=True,
            help_text="Decimal degrees, -90 to 90 (north positive).",
        ),
        models.DecimalField(
            max_digits=8,
            decimal_places=5,
            null=True,
            blank=True,
            help_text="Decimal degrees, -180 to 180 (east positive).",
        ),
    )


class Exercise(SlugRecord):
    class Kind(models.TextChoices):
        SERIES = "series", "Exercise series (recurring)"
        ITERATION = "iteration", "One iteration of a series"
        EXERCISE = "exercise", "A single exercise"

    name = models.CharField(
        max_length=200, db_index=True, help_text="e.g. “Foal Eagle”, or “Foal Eagle 2017”."
    )
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.EXERCISE,
        db_index=True,
        help_text="A series is an exercise held again and again (an annual drill); an iteration "
        "is one year's edition and names its series.",
    )
    series = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="iterations",
        limit_choices_to={"kind": "series"},
        help_text="For an iteration: the series it belongs to.",
    )
    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exercises",
        help_text="The alliance or framework the exercise is held under, if any.",
    )
    participants = models.ManyToManyField(
        Country, through="ExerciseParticipant", related_name="exercises", blank=True
    )
    domains = models.ManyToManyField(Domain, related_name="exercises", blank=True)
    purposes = models.ManyToManyField(Purpose, related_name="exercises", blank=True)
    start = PartialDateField(db_index=True, help_text="When it began (or a series first ran).")
    end = PartialDateField(help_text="When it ended (or a series was last held).")
    location = models.CharField(
        max_length=300, blank=True, help_text="Where it took place, as the source names it."
    )
    latitude, longitude = coordinate_fields()
    description = models.TextField(blank=True)
    mme_id = models.CharField(
        "MME id",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="Multinational Military Exercises v7 id (MMEID), e.g. “mme87”.",
    )
    mme_series = models.CharField(
        "MME series name",
        max_length=200,
        blank=True,
        help_text="For a series: the name MME v7 gives it (Series_Name), e.g. “Foal Eagle”.",
    )
    disputed = disputed_field()

    # Only the exercise's own fields are claimed (see milidip.sources.claims): no row of it.
    claim_rows = {}

    history = HistoricalRecords(m2m_fields=[domains, purposes])

    class Meta:
        ordering = ["start", "name", "slug"]
        # The list's order, so a page (by cursor, at any depth) is read from the index.
        indexes = [models.Index(fields=["start", "name", "slug"], name="exercise_list_order")]
        permissions = [("publish_exercise", "Can publish and retract exercises")]
        constraints = [
            *SlugRecord.status_constraints("exercise"),
            models.UniqueConstraint(
                fields=["mme_id"], condition=~Q(mme_id=""), name="exercise_mme_id_unique"
            ),
            models.UniqueConstraint(
                fields=["mme_series"],
                condition=~Q(mme_series=""),
                name="exercise_mme_series_unique",
            ),
            *coordinate_constraints("exercise"),
            models.CheckConstraint(
                condition=not_before_q("end", "start"), name="exercise_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="iteration", series__isnull=False)
                | (~Q(kind="iteration") & Q(series__isnull=True)),
                name="exercise_iteration_has_series",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:exercise", self.slug)

    def clean(self):
        super().clean()
        if self.kind == self.Kind.ITERATION and not self.series_id:
            raise ValidationError({"series": "An iteration must name the series it belongs to."})
        if self.kind != self.Kind.ITERATION and self.series_id:
            raise ValidationError({"series": "Only an iteration belongs to a series."})
        if self.series_id and self.series.kind != self.Kind.SERIES:
            raise ValidationError({"series": f"“{self.series}” is not an exercise series."})


class ParticipantManager(models.Manager):
    def get_by_natural_key(self, exercise_slug, country_code):
        return self.get(exercise__slug=exercise_slug, country__code=country_code)


class ExerciseParticipant(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "Host"
        PARTICIPANT = "participant", "Participant"
        OBSERVER = "observer", "Observer"

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="exercise_participants"
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="exercise_participations"
    )
    role = models.CharField(
        max_length=12, choices=Role.choices, default=Role.PARTICIPANT, db_index=True
    )

    objects = ParticipantManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["exercise", "country"]
        # `country=` finds a country's exercises from this index alone.
        indexes = [models.Index(fields=["country", "exercise"], name="participant_by_country")]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "country"], name="exerciseparticipant_unique"
            ),
        ]

    def __str__(self):
        return f"{self.country_id and self.country.code} ({self.role})"

    def natural_key(self):
        return (self.exercise.slug, self.country.code)

    natural_key.dependencies = ["missions.exercise", "alliances.country"]


class Mission(SlugRecord):
    class Kind(models.TextChoices):
        PEACEKEEPING = "peacekeeping", "Peacekeeping"
        HUMANITARIAN = "humanitarian", "Humanitarian assistance"
        DISASTER_RELIEF = "disaster-relief", "Disaster relief"
        FORWARD_PRESENCE = "forward-presence", "Forward presence / stationing of troops"
        TRAINING = "training", "Training or advisory mission"
        RECONSTRUCTION = "reconstruction", "Reconstruction or aid mission"
        MARITIME_SECURITY = "maritime-security", "Maritime security / counter-piracy"
        STABILISATION = "stabilisation", "Stabilisation or combat operation"
        POLITICAL = "political", "Political or peacebuilding mission"

    name = models.CharField(
        max_length=200, db_index=True, help_text="e.g. “United States Forces Korea”."
    )
    short_name = models.CharField(max_length=50, blank=True, help_text="e.g. “USFK”, “UNIFIL”.")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    organisation = models.ForeignKey(
        Alliance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missions",
        help_text="The organisation that mandates or leads it (UN, NATO ...); blank for a "
        "national deployment.",
    )
    hosts = models.ManyToManyField(
        Country,
        related_name="hosted_missions",
        blank=True,
        help_text="The countries where the mission operates.",
    )
    contributors = models.ManyToManyField(
        Country, through="MissionContribution", related_name="contributed_missions", blank=True
    )
    start = PartialDateField(db_index=True, help_text="When it began.")
    end = PartialDateField(db_index=True, help_text="When it ended; blank while it is active.")
    ended = models.BooleanField(
        default=False,
        db_index=True,
        help_text="The mission is over. An end date sets it; tick it alone when the source "
        "says the mission ended but not when. Clearing the end date leaves it set: untick it "
        "if the mission is active again.",
    )
    end_kind = end_kind_field()
    coverage_end = coverage_end_field()
    description = models.TextField(blank=True)
    un_acronym = models.CharField(
        "UN acronym",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="For a UN mission: its acronym as the UN and IPI datasets write it "
        "(UNIFIL, UNMISS).",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
        help_text="The mission it is part of: for a national deployment, the mission it "
        "serves in (South Korea's Dongmyeong Unit serves in UNIFIL); for a UN mission, the "
        "aggregate that the UN lists it under (UNOSOM I and II are parts of UNOSOM).",
    )
    disputed = disputed_field()

    # Only the mission's own fields are claimed (see milidip.sources.claims): no row of it.
    claim_rows = {}

    history = HistoricalRecords(m2m_fields=[hosts])

    class Meta:
        ordering = ["start", "name", "slug"]
        permissions = [("publish_mission", "Can publish and retract missions")]
        constraints = [
            *SlugRecord.status_constraints("mission"),
            models.UniqueConstraint(
                fields=["un_acronym"], condition=~Q(un_acronym=""), name="mission_un_acronym_unique"
            ),
            models.CheckConstraint(
                condition=~Q(part_of=models.F("pk")), name="mission_not_part_of_itself"
            ),
            models.CheckConstraint(
                condition=not_before_q("end", "start"), name="mission_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(end="") | Q(ended=True), name="mission_with_an_end_has_ended"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:mission", self.slug)

    def clean(self):
        super().clean()
        # A date says more than the flag: a mission with an end is over.
        if self.end:
            self.ended = True
        derive_end_kind(self, ended=self.ended)

    @property
    def active(self):
        return not self.ended


class ContributionManager(models.Manager):
    def get_by_natural_key(self, mission_slug, country_code, as_of):
        return self.get(mission__slug=mission_slug, country__code=country_code, as_of=as_of)


class MissionContribution(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="contributions")
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="mission_contributions"
    )
    unit = models.CharField(
        max_length=200, blank=True, help_text="The unit's name, e.g. “Dongmyeong Unit”."
    )
    personnel = models.PositiveIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Number of personnel, as the source gives it (the total, where it breaks "
        "them down).",
    )
    troops = models.PositiveIntegerField(null=True, blank=True, help_text="Of which troops.")
    police = models.PositiveIntegerField(null=True, blank=True, help_text="Of which police.")
    observers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Of which military observers and experts on mission."
    )
    as_of = PartialDateField(
        "as of", help_text="When the personnel figure held; blank if the source gives no date."
    )
    note = models.CharField(max_length=300, blank=True)

    objects = ContributionManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["mission", "country", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "country", "as_of"], name="missioncontribution_unique"
            ),
            models.CheckConstraint(
                condition=Q(personnel__isnull=True) | Q(personnel__gte=0),
                name="missioncontribution_personnel_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.country_id and self.country.code}: {self.personnel or '?'}"

    def natural_key(self):
        return (self.mission.slug, self.country.code, self.as_of)

    natural_key.dependencies = ["missions.mission", "alliances.country"]


class StrengthManager(models.Manager):
    def get_by_natural_key(self, mission_slug, month):
        return self.get(mission__slug=mission_slug, month=month)


class MissionStrength(models.Model):
    """A mission's uniformed personnel at the end of one month: one point of a time series
    (the IPI Peacekeeping Database). Each point cites its own dataset row."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="strengths")
    month = PartialDateField(help_text="The month the figures are for (YYYY-MM).")
    troops = models.PositiveIntegerField(null=True, blank=True)
    police = models.PositiveIntegerField(null=True, blank=True)
    observers = models.PositiveIntegerField(null=True, blank=True, help_text="Military observers.")
    total = models.PositiveIntegerField(
        null=True, blank=True, help_text="All uniformed personnel, as the source totals them."
    )
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The dataset the figures come from.",
    )
    locator = models.CharField(
        max_length=200, help_text="The row they come from (file and row number)."
    )
    outside_mission_dates = models.BooleanField(
        default=False,
        db_index=True,
        help_text="The month falls before the mission's start or after its end (compared at "
        "the coarser of the two precisions), as the import found them: the figure is kept "
        "but flagged, not shown as the mission's.",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = UpdatedAtField(default=timezone.now, editable=False)

    objects = StrengthManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "monthly strength"
        ordering = ["mission", "month"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "month"], name="missionstrength_unique"),
            models.CheckConstraint(
                condition=Q(month__regex=r"^[0-9]{4}-[0-9]{2}$"), name="missionstrength_month"
            ),
        ]

    def __str__(self):
        return f"{self.mission_id and self.mission}, {self.month}: {self.total}"

    def natural_key(self):
        return (self.mission.slug, self.month)

    natural_key.dependencies = ["missions.mission"]


def outside_dates(month, start, end):
    """Whether `month` (YYYY-MM) falls before the partial date `start` or after `end`, each
    compared at the coarser of the two precisions (1995-03 is not after an end of 1995)."""

    def cut(a, b):
        size = min(len(a), len(b))
        return a[:size], b[:size]

    if start:
        month_cut, start_cut = cut(month, start)
        if month_cut < start_cut:
            return True
    if end:
        month_cut, end_cut = cut(month, end)
        if month_cut > end_cut:
            return True
    return False


class ContributorMonthManager(models.Manager):
    def get_by_natural_key(self, country_code, month):
        return self.get(country__code=country_code, month=month)


class ContributorMonth(models.Model):
    """One contributing country's uniformed personnel in all UN missions together at the end
    of one month (the IPI Peacekeeping Database's country series; IPI's files give no
    breakdown by mission). Each month cites its own dataset row."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="contributor_months"
    )
    month = PartialDateField(help_text="The month the figures are for (YYYY-MM).")
    troops = models.PositiveIntegerField(null=True, blank=True)
    police = models.PositiveIntegerField(null=True, blank=True)
    experts = models.PositiveIntegerField(
        null=True, blank=True, help_text="Experts on mission (military observers among them)."
    )
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The dataset the figures come from.",
    )
    locator = models.CharField(
        max_length=200, help_text="The row they come from (file and row number)."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = UpdatedAtField(default=timezone.now, editable=False)

    objects = ContributorMonthManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contributor month"
        ordering = ["country", "month"]
        constraints = [
            models.UniqueConstraint(fields=["country", "month"], name="contributormonth_unique"),
            models.CheckConstraint(
                condition=Q(month__regex=r"^[0-9]{4}-[0-9]{2}$"), name="contributormonth_month"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="contributormonth_month_idx")]

    def __str__(self):
        return f"{self.country_id and self.country.code}, {self.month}"

    @property
    def total(self):
        return sum(figure or 0 for figure in (self.troops, self.police, self.experts))

    def natural_key(self):
        return (self.country.code, self.month)

    natural_key.dependencies = ["alliances.country"]


class LocationManager(models.Manager):
    def get_by_natural_key(self, mission_slug, name):
        return self.get(mission__slug=mission_slug, name=name)


class MissionLocation(models.Model):
    """A base, camp, city or region where a mission is stationed."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200, help_text="e.g. “Camp Humphreys”, “Tyre”.")
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="mission_locations"
    )
    latitude, longitude = coordinate_fields()

    objects = LocationManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["mission", "name"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "name"], name="missionlocation_unique"),
            *coordinate_constraints("missionlocation"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.mission.slug, self.name)

    natural_key.dependencies = ["missions.mission"]


class Challenge(SlugRecord):
    class Category(models.TextChoices):
        NUCLEAR_MISSILE = "nuclear-missile", "Nuclear and missile threat"
        CYBER = "cyber", "Cyber threat"
        HISTORICAL_DISPUTE = "historical-dispute", "Historical dispute"
        TERRITORIAL_DISPUTE = "territorial-dispute", "Territorial or maritime dispute"
        GREAT_POWER_BALANCING = "great-power-balancing", "Balancing between great powers"
        BURDEN_SHARING = "burden-sharing", "Burden-sharing dispute"
        DOMESTIC_OPINION = "domestic-opinion", "Domestic opinion"
        RESOURCE_LIMITS = "resource-limits", "Resource limits"
        REGIONAL_INSTABILITY = "regional-instability", "Regional instability"
        TERRORISM = "terrorism", "Terrorism and non-traditional threats"

    name = models.CharField(max_length=200, db_index=True, help_text="The problem in a few words.")
    category = models.CharField(max_length=30, choices=Category.choices, db_index=True)
    description = models.TextField(blank=True, help_text="The problem, as the sources describe it.")
    responses = models.TextField(
        blank=True, help_text="How the records respond to it, as the sources describe."
    )
    start = PartialDateField("since", db_index=True, help_text="Since when it has been a problem.")
    end = PartialDateField("until", help_text="When it ceased to be one; blank if it persists.")
    countries = models.ManyToManyField(Country, related_name="challenges", blank=True)
    alliances = models.ManyToManyField(Alliance, related_name="challenges", blank=True)
    treaties = models.ManyToManyField(Treaty, related_name="challenges", blank=True)
    missions = models.ManyToManyField(Mission, related_name="challenges", blank=True)
    exercises = models.ManyToManyField(Exercise, related_name="challenges", blank=True)

    history = HistoricalRecords(m2m_fields=[countries, alliances, treaties, missions, exercises])

    class Meta:
        ordering = ["name", "slug"]
        permissions = [("publish_challenge", "Can publish and retract challenges")]
        constraints = [
            *SlugRecord.status_constraints("challenge"),
            models.CheckConstraint(
                condition=not_before_q("end", "start"), name="challenge_end_not_before_start"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:challenge", self.slug)


class ExerciseCitation(Citation):
    record = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("exercisecitation")


class MissionCitation(Citation):
    record = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("missioncitation")


class ChallengeCitation(Citation):
    record = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("challengecitation")


@receiver(pre_save, sender=Mission)
def agree_end_kind(sender, instance, **kwargs):
    """Every save (the admin, the API, a fixture) keeps end_kind in line with end and ended."""
    derive_end_kind(instance, ended=instance.ended)
