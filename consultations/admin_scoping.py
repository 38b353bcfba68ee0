"""Issue 13: what each staff role can list in the admin outside the consultation editor.

Wagtail's own choosers and its admin API list every row of a model to anyone with admin access;
the classes and hooks here narrow them to what ``permissions`` allows:

- the consultation chooser (and its results and "chosen" views) shows only
  ``consultations_visible_to(user)``;
- the staff-profile chooser (a list of staff) is for site administrators only;
- the admin API's documents and images endpoints list only what the user may choose or change
  (for documents: their department's collection, see ``documents.py``);
- the staff directory and the reports that list other people's actions are covered in
  ``cms/site_admin_only.py`` (the site shell).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)

from consultations.permissions import can_manage_reference_data, consultations_visible_to

# --- The consultation chooser ----------------------------------------------------------------


class _VisibleConsultations:
    def get_object_list(self):
        return consultations_visible_to(self.request.user)


class ConsultationChooseView(_VisibleConsultations, ChooseView):
    pass


class ConsultationChooseResultsView(_VisibleConsultations, ChooseResultsView):
    pass


class ConsultationChosenView(SnippetChosenView):
    def get_object(self, pk):
        return consultations_visible_to(self.request.user).get(pk=pk)


class ConsultationChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return consultations_visible_to(self.request.user).filter(pk__in=pks)


class ConsultationChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ConsultationChooseView
    choose_results_view_class = ConsultationChooseResultsView
    chosen_view_class = ConsultationChosenView
    chosen_multiple_view_class = ConsultationChosenMultipleView


# --- Reference data that names staff: site administrators only -------------------------------


class _SiteAdminsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_reference_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffChooseView(_SiteAdminsOnly, ChooseView):
    pass


class StaffChooseResultsView(_SiteAdminsOnly, ChooseResultsView):
    pass


class StaffChosenView(_SiteAdminsOnly, SnippetChosenView):
    pass


class StaffChosenMultipleView(_SiteAdminsOnly, SnippetChosenMultipleView):
    pass


class StaffProfileChooserViewSet(SnippetChooserViewSet):
    choose_view_class = StaffChooseView
    choose_results_view_class = StaffChooseResultsView
    chosen_view_class = StaffChosenView
    chosen_multiple_view_class = StaffChosenMultipleView


# --- The admin API ---------------------------------------------------------------------------


def _permitted(model, request, queryset):
    policy = policy_registry.get_by_type(model)
    visible = policy.instances_user_has_any_permission_for(request.user, ["choose", "change"])
    return queryset.filter(pk__in=visible.values("pk"))


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return _permitted(get_document_model(), self.request, super().get_queryset())


class ScopedImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return _permitted(get_image_model(), self.request, super().get_queryset())


def construct_admin_api(router) -> None:
    """``construct_admin_api`` hook, registered after Wagtail's (which adds the unscoped ones)."""
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)
