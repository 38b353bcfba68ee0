from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.i18n import BilingualMixin


class Department(BilingualMixin, models.Model):
    """A responsible department (承办单位). Staff belong to one; scoping follows it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    office_hours_en = models.CharField(_("office hours (English)"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The department's own document collection and the group that may choose, add and change
    # documents in it (consultations/documents.py keeps both and the group's members).
    document_collection = models.OneToOneField(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="department",
    )
    document_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="document_department",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class District(BilingualMixin, models.Model):
    """A node in the configured gazetteer, for example 区 → 街道 → 社区."""

    class Level(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district / county")
        SUBDISTRICT = "subdistrict", _("sub-district / town")
        COMMUNITY = "community", _("community / village")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="district_unique_name_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return " › ".join(d.name for d in self.ancestors_and_self())

    def ancestors_and_self(self) -> list["District"]:
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A district cannot be part of itself.")})
            node = node.parent


class HolidayOverride(models.Model):
    """An administrator's correction to the statutory calendar from ``chinesecalendar``."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    is_statutory_holiday = models.BooleanField(_("is a statutory holiday"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_working_day=True) & models.Q(is_statutory_holiday=True)),
                name="holidayoverride_holiday_is_not_workday",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class StaffProfile(models.Model):
    """Links a staff account to its department. Roles are Django groups (see permissions.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.department or '-'})"
