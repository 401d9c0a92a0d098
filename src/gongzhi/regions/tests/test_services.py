"""Region registry services: GeoJSON import (all or nothing), buildings get their grid from coordinates."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from gongzhi.core.testing import square
from gongzhi.regions.models import Region
from gongzhi.regions.services import create_building, create_house, import_geojson


def _feature(code, name, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def test_import_creates_grids_and_relocates(world):
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature("110199002001002", "朝晖第二网格", square(116.43, 39.90)),
            _feature("110199002001003", "朝晖第三网格", square(116.43, 39.91)),
        ],
    }
    report = import_geojson(
        actor=world.admin, collection=collection, level="grid", parent=world.other_community
    )
    assert report.ok and len(report.created) == 2
    building = create_building(
        actor=world.admin, code="B9", name="朝晖9号楼", address="朝晖路9号", lon=116.435, lat=39.915
    )
    assert building.grid.code == "110199002001003"
    assert building.region_path == "110199/110199002/110199002001/110199002001003/"


def test_bad_geometry_reported_by_index_and_nothing_imported(world):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[116.43, 39.90], [116.44, 39.91], [116.44, 39.90], [116.43, 39.91], [116.43, 39.90]]
        ],
    }
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature("110199002001002", "朝晖第二网格", square(116.43, 39.90)),
            _feature("110199002001003", "朝晖第三网格", bow_tie),
            {"type": "Feature", "properties": {"name": "无编码"}, "geometry": square(116.45, 39.90)},
        ],
    }
    before = Region.objects.count()
    report = import_geojson(
        actor=world.admin, collection=collection, level="grid", parent=world.other_community
    )
    assert not report.ok
    assert [e["index"] for e in report.errors] == [1, 2]
    assert "自相交" in report.errors[0]["message"]
    assert Region.objects.count() == before


def test_dry_run_writes_nothing(world):
    collection = {
        "type": "FeatureCollection",
        "features": [_feature("110199002001002", "朝晖第二网格", square(116.43, 39.90))],
    }
    report = import_geojson(
        actor=world.admin, collection=collection, level="grid", parent=world.other_community, dry_run=True
    )
    assert report.ok and report.created == ["110199002001002"]
    assert not Region.objects.filter(code="110199002001002").exists()


def test_import_command_exits_nonzero_on_bad_file(world, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature(
                        "110199002001009",
                        "坏网格",
                        {"type": "LineString", "coordinates": [[116.4, 39.9], [116.5, 39.9]]},
                    )
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("regions", "import-geojson", str(path), "--level", "grid", "--parent", "110199002001")
    assert exit_info.value.code == 1
    assert "feature #0" in capsys.readouterr().err


def test_house_inherits_building_grid(world):
    building = create_building(
        actor=world.grid_worker_b,
        code="B0101",
        name="幸福里2号楼",
        address="幸福里2号",
        lon=116.415,
        lat=39.905,
    )
    house = create_house(actor=world.grid_worker_b, building=building, unit="1", room="101", use="rented")
    assert house.grid == world.grid_b and house.region_path == world.grid_b.path
