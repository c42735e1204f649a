"""The API's default permission: Django's model permissions for writes, reads for anyone."""

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly


class ModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's DjangoModelPermissionsOrAnonReadOnly, without building the view's queryset (to
    learn its model) for a method that needs no permission at all (GET, HEAD, OPTIONS): its
    answer is then True for any reader, whatever the model, and building the queryset cost a
    list request its filtered queryset twice."""

    def has_permission(self, request, view):
        if request.user and self.perms_map.get(request.method) == []:
            return True
        return super().has_permission(request, view)
