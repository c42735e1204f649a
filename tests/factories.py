"""factory_boy factories for tests: records that cite a real article with a real quote."""

import factory

from alliances.models import Alliance, AllianceCitation, Country, Membership, Treaty
from milidip.records import Status
from milidip.sources.models import Source
from missions.models import Exercise, ExerciseParticipant, Mission, MissionContribution

# A passage that is in article 004 verbatim, for citations that only need to be valid.
QUOTE_004 = (
    "The military alliance between South Korea and the United States is a foundational "
    "element of regional security in East Asia"
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["slug"]

    slug = "us-south-korea-military-alliance"
    title = "The US and South Korea Military Alliance"
    kind = Source.Kind.ARTICLE
    collection = Source.Collection.ARTICLES
    file = "004_fe5bedd0165c028e.txt"
    checksum = "f9ec784952f8ddb13dfe4a12f407611b91cefb950c9e8930d3e9962e72d2cc45"
    status = Status.PUBLISHED


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = "NZL"
    name = "New Zealand"
    status = Status.PUBLISHED


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    slug = factory.Sequence(lambda n: f"test-alliance-{n}")
    name = factory.Sequence(lambda n: f"Test Alliance {n}")
    kind = Alliance.Kind.DEFENCE_PACT
    status = Status.PUBLISHED


class AllianceCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllianceCitation

    record = factory.SubFactory(AllianceFactory)
    source = factory.SubFactory(SourceFactory)
    quote = QUOTE_004


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    country = factory.SubFactory(CountryFactory)


class TreatyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treaty

    slug = factory.Sequence(lambda n: f"test-treaty-{n}")
    name = factory.Sequence(lambda n: f"Test Treaty {n}")
    kind = Treaty.Kind.DEFENCE_COOPERATION
    status = Status.PUBLISHED


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise

    slug = factory.Sequence(lambda n: f"test-exercise-{n}")
    name = factory.Sequence(lambda n: f"Test Exercise {n}")
    status = Status.PUBLISHED


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExerciseParticipant

    exercise = factory.SubFactory(ExerciseFactory)
    country = factory.SubFactory(CountryFactory)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    slug = factory.Sequence(lambda n: f"test-mission-{n}")
    name = factory.Sequence(lambda n: f"Test Mission {n}")
    kind = Mission.Kind.PEACEKEEPING
    end = ""
    ended = factory.LazyAttribute(lambda mission: bool(mission.end))
    status = Status.PUBLISHED


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionContribution

    mission = factory.SubFactory(MissionFactory)
    country = factory.SubFactory(CountryFactory)
