"""地点识别: the pure gazetteer, the registry as gazetteer (``extract_location``) and intake using it."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.services import submit_case
from gongzhi.cases.services.routing import _PLACE_FINDERS
from gongzhi.cases.tests import factories as f
from gongzhi.intelligence.nlp.gazetteer import Entry, Gazetteer
from gongzhi.intelligence.places import extract_location, find_place, forget_gazetteer
from gongzhi.regions.paths import common_ancestor_path
from gongzhi.regions.services import create_building, create_region


@pytest.fixture(autouse=True)
def fresh_gazetteer():
    forget_gazetteer()
    yield
    forget_gazetteer()


# --- the pure gazetteer -----------------------------------------------------------------------------------

D, S, C, C2 = "1/", "1/11/", "1/11/111/", "1/12/121/"
GA, GB, GC = C + "1111/", C + "1112/", C2 + "1211/"
SMALL = [
    Entry("向阳街道", "street", S),
    Entry("幸福里社区", "community", C),
    Entry("幸福里", "community", C),
    Entry("朝晖社区", "community", C2),
    Entry("幸福里第一网格", "grid", GA),
    Entry("阳光花园", "estate", GA),
    Entry("阳光花园", "estate", GC),
    Entry("和平路12号", "building", GB),
    Entry("和平路", "road", GB),
    Entry("和平路", "road", GA),
]


def test_the_longest_name_wins_and_spans_are_kept():
    gaz = Gazetteer(SMALL)

    mentions = gaz.scan("家住幸福里社区，和平路12号楼下的川菜馆油烟直排")

    assert [(m.text, m.start, m.end) for m in mentions] == [("幸福里社区", 2, 7), ("和平路12号", 8, 14)]
    match = gaz.resolve("家住幸福里社区，和平路12号楼下的川菜馆油烟直排")
    assert match.path == GB and match.kind == "building" and not match.ambiguous
    assert match.evidence == ("幸福里社区", "和平路12号")


def test_a_more_specific_name_beats_a_region_name():
    match = Gazetteer(SMALL).resolve("向阳街道幸福里第一网格内有人占道经营")

    assert (match.path, match.kind) == (GA, "grid")


def test_an_estate_in_two_places_is_settled_by_the_other_names():
    gaz = Gazetteer(SMALL)

    assert gaz.resolve("朝晖社区阳光花园门口垃圾成堆").path == GC
    assert gaz.resolve("幸福里的阳光花园门口垃圾成堆").path == GA


def test_an_unsettled_ambiguity_gives_the_common_region_and_says_so():
    gaz = Gazetteer(SMALL)

    match = gaz.resolve("和平路上的路灯坏了一个月")
    assert match.path == C and match.ambiguous and set(match.candidates) == {GA, GB}
    far = gaz.resolve("阳光花园门口垃圾成堆")  # two estates of that name in two streets
    assert far.path == D and far.ambiguous and far.kind == "estate"


def test_places_with_nothing_in_common_give_no_place():
    gaz = Gazetteer([Entry("阳光花园", "estate", "1/11/"), Entry("阳光花园", "estate", "2/21/")])

    assert gaz.resolve("阳光花园门口垃圾成堆") is None
    assert common_ancestor_path(["1/11/111/", "1/11/112/", "1/11/"]) == "1/11/"


def test_a_short_form_that_is_an_ordinary_word_needs_place_context():
    gaz = Gazetteer([Entry("文明社区", "community", C), Entry("文明", "community", C, needs_context=True)])

    assert gaz.scan("影响文明城市创建") == [] and gaz.scan("很不文明") == []
    assert [m.text for m in gaz.scan("文明小区3号楼门口")] == ["文明"]
    assert [m.text for m in gaz.scan("家住文明，楼下烧烤")] == ["文明"]
    assert [m.text for m in gaz.scan("创建文明社区")] == ["文明社区"]  # a full name always matches


def test_text_without_known_names_gives_nothing():
    gaz = Gazetteer(SMALL)

    assert gaz.scan("楼下烧烤店深夜噪音扰民") == [] and gaz.resolve("") is None and gaz.resolve(None) is None


# --- the registry as gazetteer ---------------------------------------------------------------------------


@pytest.fixture
def buildings(world):
    made = {}
    for code, name, address, estate, grid in (
        ("XFL0303", "3号楼", "幸福路18号院3号楼", "阳光花园小区", world.grid_b),
        ("XFL0101", "1号楼", "幸福路2号院1号楼", "阳光花园小区", world.grid_a),
        ("ZH0101", "1号楼", "朝晖路8号", "锦绣家园", world.grid_c),
        ("ZH0909", "朝晖商务大厦", "向阳区建设路99号", "", world.grid_c),
    ):
        made[code] = create_building(
            actor=world.admin, code=code, name=name, address=address, estate=estate, grid=grid
        )
    return made


def test_a_building_address_in_the_text_gives_its_grid(world, buildings):
    found = extract_location("幸福路18号院3号楼楼下垃圾站的垃圾三天没清运了，天热有臭味")

    assert found.grid == world.grid_b and found.region == world.grid_b and found.kind == "building"
    assert found.evidence[0][0] == "幸福路18号院3号楼"


def test_an_estate_and_building_number_in_the_usual_spellings(world, buildings):
    for text in ("阳光花园3栋电梯坏了", "阳光花园小区3号楼电梯坏了", "阳光花园3幢电梯坏了"):
        assert extract_location(text).grid == world.grid_b, text


def test_a_named_building_and_a_road_without_the_district(world, buildings):
    assert extract_location("朝晖商务大厦门口共享单车乱停").grid == world.grid_c
    assert extract_location("建设路99号门前占道经营").grid == world.grid_c
    assert extract_location("锦绣家园小区南门有人摆摊").grid == world.grid_c


def test_an_estate_spanning_two_grids_gives_their_community(world, buildings):
    found = extract_location("阳光花园小区门口早市占道经营，行人过不去")

    assert found.region == world.community and found.grid is None
    assert found.ambiguous and set(found.candidates) == {world.grid_a.path, world.grid_b.path}


def test_region_short_forms_are_recognised(world):
    assert extract_location("幸福里小区南门外全是卖菜的摊子").region == world.community
    assert extract_location("朝晖街道这边的路灯一直不亮").region == world.other_street
    assert extract_location("幸福里第二网格有人私搭乱建").grid == world.grid_b


@pytest.fixture
def wordlike_communities(world):
    """Communities whose short forms are ordinary words (文明, 建设, 和平, 光明, 人民), in 朝晖街道."""
    made = {}
    for number, name in enumerate(("文明社区", "建设社区", "和平社区", "光明社区", "人民社区"), start=2):
        made[name] = create_region(
            actor=world.admin,
            code=f"11019900200{number}",
            name=name,
            level="community",
            parent=world.other_street,
        )
    return made


@pytest.mark.parametrize(
    "text",
    [
        "小区门口垃圾堆积三天没人清运，影响文明城市创建",
        "邻居把垃圾扔在楼道里，很不文明",
        "小区正在建设的充电桩半年了还没完工",
        "希望物业和业主和平解决停车纠纷",
        "收费标准要光明正大地公示出来",
        "人民群众反映强烈，路灯坏了一个月没人修",
    ],
)
def test_short_forms_used_as_ordinary_words_are_not_places(world, wordlike_communities, text):
    assert extract_location(text) is None


@pytest.mark.parametrize(
    ("text", "community"),
    [
        ("文明小区3号楼楼道里堆满了杂物", "文明社区"),
        ("和平路口的红绿灯坏了三天", "和平社区"),
        ("我住在建设社区，楼下饭店油烟直排", "建设社区"),
        ("家住光明，楼下烧烤店营业到凌晨", "光明社区"),
        ("人民里5号楼门前的井盖丢了", "人民社区"),
    ],
)
def test_short_forms_in_place_context_and_full_names_are_places(world, wordlike_communities, text, community):
    assert extract_location(text).region == wordlike_communities[community]


def test_an_ordinary_word_does_not_file_a_case_under_another_street(world, wordlike_communities):
    case = submit_case(
        actor=world.dispatcher,
        **_hotline(title="垃圾没人清运", description="小区门口垃圾堆积三天没人清运，影响文明城市创建"),
    )

    assert not case.region_path.startswith(world.other_street.path)


def test_a_bare_building_number_is_not_a_place(world, buildings):
    assert extract_location("3号楼底商的烧烤店天天营业到凌晨两点") is None
    assert find_place("楼下烧烤店深夜噪音扰民") is None


def test_the_gazetteer_follows_registry_changes(world, buildings):
    assert extract_location("翠湖苑5号楼楼道飞线充电") is None

    create_building(
        actor=world.admin,
        code="CH0505",
        name="5号楼",
        address="和平里5号",
        estate="翠湖苑",
        grid=world.grid_a,
    )

    assert extract_location("翠湖苑5号楼楼道飞线充电").grid == world.grid_a


# --- intake -------------------------------------------------------------------------------------------


def _hotline(**overrides) -> dict:
    kwargs = f.CaseInputFactory(lon=None, lat=None, address="")
    kwargs.update(overrides)
    return kwargs


def test_the_place_finder_is_registered_with_the_cases_app():
    assert find_place in _PLACE_FINDERS


def test_intake_reads_the_place_from_the_text_when_nothing_else_locates_it(world, buildings):
    case = submit_case(
        actor=world.dispatcher,
        **_hotline(
            title="楼道里飞线给电动车充电",
            description="阳光花园3栋4单元有人从三楼窗户拉电线下来给电动车充电，电线就搭在树上，太危险了。",
        ),
    )

    assert (case.grid_id, case.region_path, case.street_id) == (
        world.grid_b.pk,
        world.grid_b.path,
        world.street.pk,
    )
    event = AuditEvent.objects.get(action="cases.submit", target_id=str(case.pk))
    assert event.data["place_from_text"] is True and event.data["grid"] == world.grid_b.pk
    assert case.steps.get(action="submit").data["place_from_text"] is True


def test_intake_reads_short_forms_in_an_address_the_registry_does_not_match(world, buildings):
    case = submit_case(actor=world.dispatcher, **_hotline(address="阳光花园3幢楼下"))

    assert case.grid_id == world.grid_b.pk


def test_intake_keeps_coordinates_and_does_not_read_the_text(world, buildings):
    lon, lat = f.POINTS["a"]
    case = submit_case(
        actor=world.dispatcher,
        **_hotline(
            lon=lon, lat=lat, title="垃圾三天没人清运", description="朝晖商务大厦门口的垃圾桶满了三天。"
        ),
    )

    assert case.grid_id == world.grid_a.pk
    event = AuditEvent.objects.get(action="cases.submit", target_id=str(case.pk))
    assert "place_from_text" not in event.data


def test_an_unknown_address_is_not_second_guessed_from_the_description(world, buildings):
    case = submit_case(
        actor=world.dispatcher,
        **_hotline(address="火星路1号", description="阳光花园3栋门口每天早上都有人摆摊卖菜，堵住了路。"),
    )

    # not placed at 阳光花园 (grid A): filed under the street of the dispatcher who took it, to be checked
    assert (case.grid_id, case.region_path) == (None, world.street.path)
    event = AuditEvent.objects.get(action="cases.submit", target_id=str(case.pk))
    assert event.data.get("place_unknown") is True and "place_from_text" not in event.data
