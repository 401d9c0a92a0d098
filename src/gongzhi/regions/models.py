"""Region tree (district → street → community → grid), buildings and houses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, ScopedQuerySet, TimeStampedModel

from .choices import HouseUse, RegionLevel


class Region(TimeStampedModel):
    """行政区划/网格: a node of the region tree; ``path`` is the chain of codes (``110105/110105001/``)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=120, unique=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    center_lon = models.FloatField(_("centre longitude"), null=True, blank=True)
    center_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "path"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")


class GeoVersion(models.Model):
    """Set to a new random value whenever a grid boundary changes, so every process rebuilds its locator."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("boundary version")
        verbose_name_plural = _("boundary version")

    def __str__(self) -> str:
        return str(self.version)


class Building(RegionScopedModel, TimeStampedModel):
    """楼栋: a building with address and point; its grid comes from its coordinates."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    estate = models.CharField(_("estate"), max_length=100, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        Region,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class House(RegionScopedModel, TimeStampedModel):
    """房屋: one unit/room of a building, with its use (自住/出租/空置/商用)."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="houses"
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    use = models.CharField(_("use"), max_length=20, choices=HouseUse.choices, default=HouseUse.OWNER_OCCUPIED)
    area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    grid = models.ForeignKey(
        Region, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="houses"
    )

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["building_id", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="uniq_house_in_building")
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building.name}{unit}{self.room}"
