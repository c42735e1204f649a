"""Whole-dataset downloads: every published record, as files, streamed.

- `/api/v1/downloads/`: the index; each dataset with its rows and files, and the sources'
  citations and licences.
- `/api/v1/downloads/<dataset>.csv` and `.jsonl`: every published record of one resource, as the
  list endpoint shows it (CSV flattened the same way, JSON Lines one record a line, with its
  citations), in the list's default order, with no page limit.
- `/api/v1/downloads/milidip-datapackage.zip`: the whole public database in one file, a
  Frictionless Data Package: `datapackage.json` (each file, its columns, and every source's
  citation and licence) beside each resource's CSV and JSON Lines.

Drafts and retracted records never appear, whoever asks: the records are read as published
ones, and serialized as an anonymous reader sees them (a reference to a draft is hidden).

Memory stays constant whatever the number of rows: records are read CHUNK_ROWS at a time (with
their prefetches, a few queries per chunk) and each chunk is sent before the next is read; the zip
is written entry by entry into a buffer that is emptied after every chunk, each record serialized
once (its CSV lines wait in a temporary file while its JSON Lines entry is written).
"""

import csv
import io
import json
import math
import tempfile
import zipfile

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from alliances.views import AllianceViewSet, CountryViewSet, TreatyViewSet
from milidip.api.renderers import csv_cell
from milidip.api.schema import READ_ERRORS, AutoSchema
from milidip.api.throttling import CSV_COST, ROWS_PER_UNIT
from milidip.api.views import check_parameters
from milidip.records import Status
from milidip.sources.models import Source
from milidip.sources.views import SourceViewSet
from missions.views import ChallengeViewSet, ExerciseViewSet, MissionViewSet

# Dataset name: (title, the resource's viewset: its queryset, prefetches and serializer).
DATASETS = {
    "countries": ("Countries", CountryViewSet),
    "alliances": ("Alliances, with memberships and obligations", AllianceViewSet),
    "treaties": ("Treaties, with parties", TreatyViewSet),
    "exercises": ("Exercises and exercise series, with participants", ExerciseViewSet),
    "missions": ("Missions, with contributions and locations", MissionViewSet),
    "challenges": ("Security and diplomatic challenges", ChallengeViewSet),
    "sources": ("Sources: the articles and datasets cited", SourceViewSet),
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
}
PACKAGE_NAME = "milidip-datapackage.zip"
CHUNK_ROWS = 500
SPOOL_READ_BYTES = 1 << 20
LICENCE_NOTE = (
    "Each record is published under the terms of the sources it cites (see `sources`: their "
    "citation and licence); cite them wherever the data is shown."
)


def published(name):
    """The published records of a dataset, with what their serializer needs prefetched."""
    viewset = DATASETS[name][1]
    return viewset.queryset.filter(status=Status.PUBLISHED)


def serializer_for(name, request=None):
    """The resource's serializer, reading as an anonymous caller: references to drafts hidden.
    `request` (the download's) only gives the host of each record's `html_url`."""
    return DATASETS[name][1].serializer_class(context={"request": None, "page_request": request})


def columns(name):
    """The dataset's CSV columns: its list's (the serializer's fields, in order)."""
    return list(serializer_for(name).fields)


def records(name, request=None):
    """Each published record of a dataset as the API shows it, CHUNK_ROWS read at a time."""
    serializer = serializer_for(name, request)
    for record in published(name).iterator(chunk_size=CHUNK_ROWS):
        yield serializer.to_representation(record)


def batches(items, size=CHUNK_ROWS):
    """`items` in lists of `size` (the last one shorter)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class CSVWriter:
    """The list's CSV (its columns and cells, RFC 4180 line ends), a batch of records at a time."""

    def __init__(self, name):
        self.buffer = io.StringIO()
        self.writer = csv.DictWriter(self.buffer, fieldnames=columns(name), lineterminator="\r\n")
        self.writer.writeheader()

    def encode(self, batch):
        """The header (the first time) and a line per record, as UTF-8 bytes."""
        for row in batch:
            self.writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return take(self.buffer)


JSON_LINE = JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def jsonl_encode(batch):
    """A line per record, as the API's JSON shows it, as UTF-8 bytes."""
    return "".join(JSON_LINE.encode(row) + "\n" for row in batch).encode()


def csv_chunks(name, request=None):
    """The dataset as CSV, in chunks of bytes (the header alone when it has no records)."""
    writer = CSVWriter(name)
    yield writer.encode([])
    for batch in batches(records(name, request)):
        yield writer.encode(batch)


def jsonl_chunks(name, request=None):
    """The dataset as JSON Lines: one record a line."""
    for batch in batches(records(name, request)):
        yield jsonl_encode(batch)


def take(buffer):
    """What `buffer` holds, as UTF-8 bytes; it is emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


CHUNKS = {"csv": csv_chunks, "jsonl": jsonl_chunks}


def source_terms():
    """Every published source with how to cite it and the terms it is used under."""
    return [
        {
            "slug": source.slug,
            "title": source.title,
            "path": source.url,
            "citation": source.citation_text,
            "licence": source.licence,
        }
        for source in Source.objects.filter(status=Status.PUBLISHED).order_by("slug")
    ]


def data_package(request):
    """The contents of datapackage.json (Frictionless Data Package v1)."""
    resources = []
    for name, (title, viewset) in DATASETS.items():
        resources.append(
            {
                "name": name,
                "title": title,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n"},
                "schema": {
                    "fields": [{"name": column, "type": "string"} for column in columns(name)],
                    "primaryKey": viewset.lookup_field,
                },
            }
        )
        resources.append(
            {
                "name": f"{name}-json",
                "title": f"{title} (JSON Lines, nested as in the API)",
                "path": f"{name}.jsonl",
                "format": "jsonl",
                "mediatype": "application/jsonl",
                "encoding": "utf-8",
            }
        )
    return {
        "profile": "data-package",
        "name": "milidip",
        "title": "milidip: military diplomacy, every published record",
        "description": "Alliances, treaties, exercises, missions and challenges, each record "
        "with its citations (a verbatim quote from an article, or a dataset row). Drafts are "
        "not included. " + LICENCE_NOTE,
        "homepage": reverse("api-root", request=request),
        "created": timezone.now().isoformat(timespec="seconds"),
        "licenses": [
            {
                "name": "other-at",
                "title": "Other (Attribution): the terms of each cited source",
            }
        ],
        "sources": source_terms(),
        "resources": resources,
    }


class ZipBuffer:
    """Where zipfile writes a streamed archive: it keeps only the bytes not yet sent (zipfile
    writes to an unseekable stream with data descriptors, entry by entry)."""

    def __init__(self):
        self.chunks = []
        self.position = 0

    def write(self, data):
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.chunks)
        self.chunks = []
        return data


def package_chunks(request):
    """The data package zip, in chunks of bytes: datapackage.json, then each dataset's files."""
    buffer = ZipBuffer()
    now = timezone.localtime().timetuple()[:6]

    def member(filename):
        info = zipfile.ZipInfo(filename, date_time=now)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(buffer, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        package = json.dumps(data_package(request), ensure_ascii=False, indent=2)
        archive.writestr(member("datapackage.json"), package)
        yield buffer.take()
        for name in DATASETS:
            # Each record is read and serialized once: its JSON line goes into the zip, its CSV
            # line into a file on disk, which follows as the CSV entry (zip entries are written
            # one after the other).
            writer = CSVWriter(name)
            with tempfile.TemporaryFile() as spool:
                spool.write(writer.encode([]))
                with archive.open(member(f"{name}.jsonl"), mode="w", force_zip64=True) as entry:
                    for batch in batches(records(name, request)):
                        entry.write(jsonl_encode(batch))
                        spool.write(writer.encode(batch))
                        yield buffer.take()
                spool.seek(0)
                with archive.open(member(f"{name}.csv"), mode="w", force_zip64=True) as entry:
                    while chunk := spool.read(SPOOL_READ_BYTES):
                        entry.write(chunk)
                        yield buffer.take()
    yield buffer.take()


def published_rows():
    """{dataset: number of published records}: one query per dataset."""
    return {name: published(name).count() for name in DATASETS}


class FirstRenderer(BaseContentNegotiation):
    """The files are what they are whatever Accept says; errors are JSON, as everywhere."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DownloadSchema(AutoSchema):
    """The files: no 406 (they are what they are), no 304 (no validators), 404 for a name."""

    def error_statuses(self):
        errors = {code: text for code, text in READ_ERRORS.items() if code != "406"}
        errors["404"] = "No such dataset or format."
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        responses.pop("304", None)
        return responses


class DownloadView(APIView):
    """Base of the file downloads: anonymous, no parameters, costed by the rows they send."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer
    schema = DownloadSchema()
    # The throttle (milidip.api.throttling) reads `extra_cost`: the rows sent, as a list's.
    datasets = ()

    @property
    def extra_cost(self):
        rows = sum(published(name).count() for name in self.datasets or [self.kwargs["name"]])
        return math.ceil(rows / ROWS_PER_UNIT) + CSV_COST

    def initial(self, request, *args, **kwargs):
        check_parameters(request, set())
        super().initial(request, *args, **kwargs)

    def stream(self, chunks, content_type, filename):
        if self.request.method == "HEAD":
            chunks.close()  # the headers alone: nothing is read or serialized
            chunks = iter(())
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class DatasetDownloadView(DownloadView):
    """Every published record of one resource, as CSV or JSON Lines."""

    @extend_schema(
        operation_id="downloads_dataset",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DATASETS)),
            OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(FORMATS)),
        ],
        summary="One resource, every published record (CSV or JSON Lines)",
        description="Streamed, with no page limit: the list's columns (CSV) or records (JSON "
        "Lines, one a line), in the list's default order. Drafts are never included. Costs a "
        "list of as many rows.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, RFC 4180."),
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR, description="JSON Lines: one record a line."
            ),
        },
    )
    def get(self, request, name, file_format):
        return self.stream(
            CHUNKS[file_format](name, request),
            FORMATS[file_format],
            f"milidip-{name}.{file_format}",
        )


class PackageDownloadView(DownloadView):
    """The whole public database as one Frictionless Data Package (zip)."""

    datasets = tuple(DATASETS)

    @extend_schema(
        operation_id="downloads_package",
        summary="The whole public database (a Frictionless Data Package)",
        description="A zip of datapackage.json (each file, its columns, and every source's "
        "citation and licence) and each resource's CSV and JSON Lines. Streamed; drafts are "
        "never included. Costs a list of every record.",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The data package."
            )
        },
    )
    def get(self, request):
        return self.stream(package_chunks(request), "application/zip", PACKAGE_NAME)


DATASET_FILES = inline_serializer(
    "DatasetFiles",
    many=True,
    fields={
        "name": serializers.CharField(),
        "title": serializers.CharField(),
        "rows": serializers.IntegerField(help_text="Published records in the files."),
        "csv": serializers.URLField(),
        "jsonl": serializers.URLField(),
    },
)
SOURCE_TERMS = inline_serializer(
    "SourceTerms",
    many=True,
    fields={
        "slug": serializers.CharField(),
        "title": serializers.CharField(),
        "path": serializers.CharField(help_text="Where the original is (may be empty)."),
        "citation": serializers.CharField(help_text="How to cite it."),
        "licence": serializers.CharField(help_text="The terms it is used under."),
    },
)


class DownloadIndexView(APIView):
    """The whole-dataset downloads: each file, how many records it holds, and the terms."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    # For the throttle: it counts every dataset and lists the sources.
    extra_cost = 2

    @extend_schema(
        operation_id="downloads_index",
        summary="The whole-dataset downloads",
        responses=inline_serializer(
            "Downloads",
            {
                "package": serializers.URLField(
                    help_text="The whole public database: a Frictionless Data Package (zip)."
                ),
                "licence": serializers.CharField(),
                "datasets": DATASET_FILES,
                "sources": SOURCE_TERMS,
            },
        ),
    )
    def get(self, request):
        check_parameters(request, {"format"})
        rows = published_rows()
        datasets = [
            {
                "name": name,
                "title": title,
                "rows": rows[name],
                **{
                    file_format: reverse(
                        "download",
                        kwargs={"name": name, "file_format": file_format},
                        request=request,
                    )
                    for file_format in FORMATS
                },
            }
            for name, (title, _) in DATASETS.items()
        ]
        return Response(
            {
                "package": reverse("download-package", request=request),
                "licence": LICENCE_NOTE,
                "datasets": datasets,
                "sources": source_terms(),
            }
        )
