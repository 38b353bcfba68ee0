"""Wagtail admin hooks of the site shell: staff sign-in security (cms/staff_auth), the staff
home page's work panel (cms/staff_home), the help menu's own guides (cms/staff_help) and the
workflow action labels (issue 15)."""

from django.contrib.contenttypes.models import ContentType
from django.urls import include, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.workflows import WorkflowContentTypeForm
from wagtail.admin.menu import MenuItem
from wagtail.models import Site
from wagtail.sites.views import IndexView as SiteIndexView

from cms import site_admin_only  # noqa: F401  (hides the site-wide reports; issue 13)
from cms.staff_auth import admin_views
from cms.staff_help import guides
from cms.staff_help import views as help_views
from cms.staff_home.panels import WorkPanel


@hooks.register("register_admin_urls")
def register_staff_security_urls():
    urls = [
        path("", admin_views.overview, name="overview"),
        path("unlock/", admin_views.unlock, name="unlock"),
        path(
            "second-factor/<int:user_id>/reset/",
            admin_views.reset_second_factor,
            name="reset_second_factor",
        ),
    ]
    return [
        path(
            "staff-security/",
            include((urls, "staff_auth_admin"), namespace="staff_auth_admin"),
        )
    ]


class SiteAdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_staff_security_menu_item():
    return SiteAdministratorMenuItem(
        _("Sign-in security"),
        reverse("staff_auth_admin:overview"),
        name="staff-security",
        icon_name="lock",
        order=650,
    )


@hooks.register("register_account_menu_item")
def register_own_second_factor(request):
    return {
        "url": reverse("staff_auth:mine"),
        "label": _("Second factor and recovery codes"),
        "help_text": _("See your second factor and make new recovery codes."),
    }


# --- The home page, help and action labels (issue 15) -----------------------------------------


# Wagtail's home panel that points at its release notes on wagtail.org.
WAGTAIL_HOME_PANELS = ("whats_new_in_wagtail_version",)


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    panels[:] = [p for p in panels if getattr(p, "name", "") not in WAGTAIL_HOME_PANELS]
    panels.insert(0, WorkPanel(request))


@hooks.register("register_admin_urls")
def register_help_urls():
    urls = [
        path("", help_views.index, name="index"),
        path("<slug:slug>/", help_views.guide, name="guide"),
    ]
    return [path("guides/", include((urls, "tingjian_help"), namespace="tingjian_help"))]


# Wagtail's help items that lead to wagtail.org (its editor guide, its release notes).
WAGTAIL_HELP_ITEMS = ("editor-guide",)


@hooks.register("construct_help_menu")
def own_guides_in_help_menu(request, menu_items):
    """帮助 lists the project's own guides, not Wagtail's guide on wagtail.org."""
    kept = [
        item
        for item in menu_items
        if item.name not in WAGTAIL_HELP_ITEMS and not item.name.startswith("whats-new")
    ]
    ours = [
        MenuItem(
            _("Guides for officials"),
            reverse("tingjian_help:index"),
            name="tingjian-guides",
            icon_name="help",
            order=100,
        ),
        *[
            MenuItem(
                guide.title,
                reverse("tingjian_help:guide", args=[guide.slug]),
                name=f"tingjian-guide-{guide.slug}",
                icon_name="doc-full",
                order=110 + n,
            )
            for n, guide in enumerate(guides.GUIDES[:4])
        ],
    ]
    menu_items[:] = ours + kept


def _without_wagtail_publish_suffix(label: str) -> str:
    """Wagtail writes "%(label)s and Publish" after the final task's approve label, which gave
    "批准并发布 和发布". The task's own labels say what happens; one that does not mention
    publishing gets the project's wording."""
    suffix = gettext("%(label)s and Publish") % {"label": ""}
    if not suffix.strip() or not label.endswith(suffix):
        return label
    base = label[: -len(suffix)]
    if pgettext("workflow action", "publish") in base:
        return base
    return gettext("%(label)s, then publish") % {"label": base}


@hooks.register("construct_snippet_action_menu")
def fix_workflow_action_labels(menu_items, request, context):
    for item in menu_items:
        label = getattr(item, "label", None)
        if isinstance(label, str) and getattr(item, "name", "") == "approve":
            item.label = _without_wagtail_publish_suffix(label)


def _label_by_verbose_names():
    """Labels Wagtail derives from attribute names, which no catalogue translates, take the
    models' verbose names instead: three columns of the Sites listing ("Port", "Site name",
    "Root page": 端口号, 站点名称, 根页面) and the workflow form's "Content types" (内容类型).
    Labels Wagtail gave on purpose are left alone."""
    for column in SiteIndexView.columns:
        if column.label == capfirst(column.name.replace("_", " ")):
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
    field = WorkflowContentTypeForm.base_fields["content_types"]
    if field.label is None:
        field.label = capfirst(ContentType._meta.verbose_name_plural)


_label_by_verbose_names()
