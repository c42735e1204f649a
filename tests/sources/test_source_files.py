"""A source's file is one of the project's seeds: nothing else on the server is ever opened, by
any door (the model, the admin's form, a CSV import, the database itself)."""

import secrets

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from milidip.records import Status
from milidip.sources.models import Source, seed_file_path

pytestmark = pytest.mark.django_db

OUTSIDE = [
    "/proc/self/environ",
    "/etc/passwd",
    "../.secret_key",
    "../milidip/settings.py",
    "datasets/../../.secret_key",
    "..\\.secret_key",
    "./004_fe5bedd0165c028e.txt/../../.secret_key",
    "",
]


def article(file):
    return Source(
        slug="probe",
        title="Probe",
        kind=Source.Kind.ARTICLE,
        collection=Source.Collection.ARTICLES,
        file=file,
        status=Status.DRAFT,
    )


@pytest.mark.parametrize("name", OUTSIDE)
def test_a_file_outside_seeds_is_refused_by_validation(name):
    with pytest.raises(ValidationError) as refused:
        article(name).full_clean()
    assert "file" in refused.value.message_dict


@pytest.mark.parametrize("name", OUTSIDE[:-1])
def test_the_path_of_a_file_outside_seeds_is_never_made(name):
    with pytest.raises(ValidationError):
        article(name).path  # noqa: B018


def test_a_symlink_in_seeds_that_leads_out_is_refused(settings, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("DATABASE_URL=postgres://user:password@db/milidip")
    (seeds / "innocent.txt").symlink_to(secret)
    settings.SEEDS_DIR = seeds
    with pytest.raises(ValidationError, match="outside seeds"):
        seed_file_path("innocent.txt", "article")


def test_an_article_and_a_dataset_file_in_seeds_are_accepted(settings):
    assert seed_file_path("004_fe5bedd0165c028e.txt", "article").is_file()
    assert seed_file_path("datasets/mme_v7.csv", "dataset").is_file()
    with pytest.raises(ValidationError):
        seed_file_path("datasets/mme_v7.csv", "article")


def test_the_database_refuses_a_path_outside_seeds():
    source = Source.objects.get(slug="us-south-korea-military-alliance")
    for name in ("/etc/passwd", "../.secret_key", "a\\b.txt"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Source.objects.filter(pk=source.pk).update(file=name)


def curator_client():
    user = User.objects.create_user(
        f"curator-{secrets.token_hex(3)}", password=secrets.token_urlsafe(), is_staff=True
    )
    user.groups.add(Group.objects.get(name="curator"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["/proc/self/environ", "../.secret_key"])
def test_the_admin_form_refuses_a_file_outside_seeds_and_saves_nothing(name):
    client = curator_client()
    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "title": "Probe",
            "slug": "probe",
            "kind": "article",
            "collection": "articles",
            "published": "2024",
            "file": name,
            "checksum": "",
            "citation_text": "",
            "licence": "",
            "description": "",
            "loaded_version": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "outside it are refused" in " ".join(errors["file"])
    assert not Source.objects.filter(slug="probe").exists()


def test_a_csv_import_refuses_a_file_outside_seeds():
    client = curator_client()
    text = "slug,title,kind,collection,file\nprobe,Probe,article,articles,/etc/passwd\n"
    preview = client.post(
        reverse("admin:sources_source_import"),
        {
            "import_file": SimpleUploadedFile("rows.csv", text.encode(), "text/csv"),
            "format": "0",
            "resource": "0",
        },
    )
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "file" in result.invalid_rows[0].error_dict
    assert not Source.objects.filter(slug="probe").exists()
