"""The API's default permission (milidip.api.permissions): reads need no permission and build no
queryset to learn so; writes need Django's model permissions, as with DRF's own class."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from rest_framework.test import APIRequestFactory

from milidip.api.permissions import ModelPermissionsOrAnonReadOnly
from missions.models import Exercise

pytestmark = pytest.mark.django_db


class View:
    def __init__(self):
        self.built = 0

    def get_queryset(self):
        self.built += 1
        return Exercise.objects.all()


def allowed(method, user):
    request = getattr(APIRequestFactory(), method.lower())("/api/v1/exercises/")
    request.user = user
    view = View()
    return ModelPermissionsOrAnonReadOnly().has_permission(request, view), view.built


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_a_read_is_allowed_to_anyone_without_building_the_queryset(method):
    assert allowed(method, AnonymousUser()) == (True, 0)
    assert allowed(method, User.objects.create_user("reader")) == (True, 0)


def test_a_write_needs_the_model_permission():
    assert allowed("POST", AnonymousUser())[0] is False
    curator = User.objects.create_user("curator")
    assert allowed("POST", curator) == (False, 1)
    curator.user_permissions.add(Permission.objects.get(codename="add_exercise"))
    curator = User.objects.get(pk=curator.pk)  # permissions are cached on the instance
    assert allowed("POST", curator) == (True, 1)
    assert allowed("PATCH", curator)[0] is False
