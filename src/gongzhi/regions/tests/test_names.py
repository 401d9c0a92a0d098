"""Address text → region: the name index (longest, then deepest match; ties → common ancestor)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.regions.names import PlaceNames, _Name, place_named_in, place_names
from gongzhi.regions.services import create_building


def test_the_longest_then_the_deepest_name_wins():
    names = PlaceNames(
        [
            _Name("幸福里社区", 3, "1/2/3/"),
            _Name("幸福里", 3, "1/2/3/"),
            _Name("幸福路18号院", 4, "1/2/3/4/"),
            _Name("向阳街道", 2, "1/2/"),
            _Name("3", 4, "1/2/3/9/"),  # one character: never a match
        ]
    )
    assert names.best_paths("幸福路18号院3号楼楼下") == {"1/2/3/4/"}
    assert names.best_paths("向阳街道幸福里社区门口") == {"1/2/3/"}
    assert names.best_paths("3") == set()
    assert names.best_paths("火星路1号") == set()
    tied = PlaceNames([_Name("阳光花园", 4, "1/2/3/4/"), _Name("阳光花园", 4, "1/2/3/5/")])
    assert tied.best_paths("阳光花园东门") == {"1/2/3/4/", "1/2/3/5/"}


def test_an_estate_in_two_grids_gives_their_community(world):
    for code, grid in (("YG01", world.grid_a), ("YG02", world.grid_b)):
        create_building(
            actor=world.admin,
            code=code,
            name=f"{code[-1]}号楼",
            address=f"幸福路{code}",
            estate="阳光花园",
            grid=grid,
        )
    node, street = place_named_in("阳光花园东门口")
    assert node == world.community
    assert street == world.street
    assert place_named_in("向阳街道") == (world.street, world.street)
    assert place_named_in("") == (None, None)


def test_a_change_in_any_process_is_seen_by_the_next_lookup(world):
    assert place_named_in("幸福路18号院门口") == (None, None)
    building = create_building(
        actor=world.admin, code="XFL0303", name="综合楼", address="幸福路18号院", grid=world.grid_b
    )
    assert place_named_in("幸福路18号院门口")[0] == world.grid_b
    building.address = "团结路7号院"
    building.save()  # an edit moves the latest change time
    assert place_named_in("幸福路18号院门口") == (None, None)
    assert place_named_in("团结路7号院门口")[0] == world.grid_b


def test_the_index_is_served_from_memory_with_one_stamp_query(world):
    place_names()
    with CaptureQueriesContext(connection) as queries:
        place_names()
    assert len(queries) == 1
