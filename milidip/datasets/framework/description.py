"""What a dataset is: its input files, the Source records its rows cite, and its `load`.

A dataset is a `Dataset` subclass. Its inputs (the files it reads and the columns it needs) are
code, since the code reads those columns; its sources (title, citation, licence, url ...) are
data, kept beside the files in seeds/datasets/sources.toml under the dataset's name. They are
read and checked when the subclass is defined: an entry that lacks a required key, has a key
no Source field takes, a value that is not text, a repeated slug, or a file the dataset does
not read raises ImproperlyConfigured naming the entry, so a bad description stops the
importers from loading instead of surfacing mid-import.
"""

import tomllib
from dataclasses import MISSING, dataclass, fields

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from milidip.sources.models import Source, file_checksum

DATASETS_DIR = "datasets"
SOURCES_FILE = "sources.toml"


@dataclass(frozen=True)
class SourceSpec:
    """The Source record of a dataset file, as seeds/datasets/sources.toml describes it."""

    slug: str
    title: str
    file: str
    collection: str
    citation_text: str
    licence: str
    author: str = ""
    publisher: str = ""
    published: str = ""
    url: str = ""
    description: str = ""

    def values(self):
        """The Source's fields: the dataset file's path relative to seeds/ and its checksum."""
        path = f"{DATASETS_DIR}/{self.file}"
        return {
            "slug": self.slug,
            "kind": Source.Kind.DATASET,
            "collection": self.collection,
            "title": self.title,
            "author": self.author,
            "publisher": self.publisher,
            "published": self.published,
            "url": self.url,
            "citation_text": self.citation_text,
            "licence": self.licence,
            "file": path,
            "checksum": file_checksum(settings.SEEDS_DIR / path),
            "description": self.description,
        }


KEYS = tuple(spec_field.name for spec_field in fields(SourceSpec))
REQUIRED = tuple(
    spec_field.name for spec_field in fields(SourceSpec) if spec_field.default is MISSING
)


class Dataset:
    """A dataset import: subclasses set `name` and `inputs` and implement `load`; `sources`
    is read from `descriptions` (seeds/datasets/sources.toml) when the subclass is defined."""

    name = ""
    inputs = {}
    sources: tuple[SourceSpec, ...] = ()
    descriptions = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            path = cls.descriptions or settings.SEEDS_DIR / DATASETS_DIR / SOURCES_FILE
            cls.sources = read_sources(path, cls.name, {spec.file for spec in cls.inputs.values()})

    def load(self, run):
        raise NotImplementedError


def read_sources(path, dataset, files):
    """The SourceSpecs of `dataset`'s [[dataset]] entries in the TOML file at `path`; each
    entry's file must be one of `files`. ImproperlyConfigured names what is wrong."""
    try:
        with open(path, "rb") as description:
            entries = tomllib.load(description).get(dataset)
    except OSError as error:
        raise ImproperlyConfigured(f"{path}: cannot read it ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise ImproperlyConfigured(f"{path}: not valid TOML ({error})") from None
    if not isinstance(entries, list) or not entries:
        raise ImproperlyConfigured(f"{path}: no [[{dataset}]] entry describes its sources")
    specs, slugs = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, [[{dataset}]] entry {number}"
        if isinstance(entry.get("slug"), str):
            where += f" ({entry['slug']})"
        problem = entry_problem(entry, files, slugs)
        if problem:
            raise ImproperlyConfigured(f"{where}: {problem}")
        slugs.add(entry["slug"])
        specs.append(SourceSpec(**entry))
    return tuple(specs)


def entry_problem(entry, files, slugs):
    """What is wrong with one source entry, or "" when nothing is."""
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        return f"unknown keys {', '.join(unknown)} (a source takes {', '.join(KEYS)})"
    missing = [key for key in REQUIRED if not entry.get(key)]
    if missing:
        return f"lacks {', '.join(missing)}"
    not_text = [key for key, value in entry.items() if not isinstance(value, str)]
    if not_text:
        return f"{', '.join(not_text)} must be text"
    if entry["slug"] in slugs:
        return f"the slug {entry['slug']!r} is already another entry's"
    if entry["file"] not in files:
        return f"file {entry['file']!r} is not one the dataset reads ({', '.join(sorted(files))})"
    return ""
