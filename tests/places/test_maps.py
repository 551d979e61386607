"""Offline map of France: shipped outlines, projection, markers, template."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from tremplin.places.maps import DATA_PATH, FranceMap, Marker, build_map, project

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "tremplin" / "places" / "templates"

PARIS = (48.8566, 2.3522, "75")
MARSEILLE = (43.2965, 5.3698, "13")
BREST = (48.39, -4.49, "29")
SAINT_DENIS_REUNION = (-20.8823, 55.4504, "974")
NOUMEA = (-22.2758, 166.458, "988")

METROPOLITAN_CODES = {f"{number:02d}" for number in range(1, 96) if number != 20} | {"2A", "2B"}
OVERSEAS_CODES = {"971", "972", "973", "974", "976"}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    with DATA_PATH.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def view_box() -> tuple[float, float, float, float]:
    min_x, min_y, width, height = (float(value) for value in build_map([]).view_box.split())
    return min_x, min_y, width, height


def inset_frame(data: dict[str, Any], code: str) -> tuple[float, float, float, float]:
    inset = next(item for item in data["insets"] if item["code"] == code)
    x, y, width, height = (float(value) for value in inset["frame"])
    return x, y, width, height


def inside(point: tuple[float, float], frame: tuple[float, float, float, float]) -> bool:
    x, y = point
    left, top, width, height = frame
    return left <= x <= left + width and top <= y <= top + height


def projected(latitude: float, longitude: float, department: str) -> tuple[float, float]:
    point = project(latitude, longitude, department)
    assert point is not None
    return point


# The shipped data


def test_json_has_the_96_metropolitan_and_5_overseas_departments(data: dict[str, Any]) -> None:
    codes = [department["code"] for department in data["departments"]]
    assert len(codes) == len(set(codes)) == 101
    assert set(codes) == METROPOLITAN_CODES | OVERSEAS_CODES


def test_every_department_has_a_name_and_a_non_empty_path(data: dict[str, Any]) -> None:
    for department in data["departments"]:
        assert department["name"], department["code"]
        assert re.fullmatch(r"(M[-\d., ]+Z)+", department["path"]), department["code"]


def test_path_coordinates_are_rounded_to_one_decimal(data: dict[str, Any]) -> None:
    numbers = re.findall(r"-?\d+(?:\.\d+)?", "".join(d["path"] for d in data["departments"]))
    assert all(len(number.partition(".")[2]) <= 1 for number in numbers)


def test_each_overseas_department_has_an_inset(data: dict[str, Any]) -> None:
    assert {inset["code"] for inset in data["insets"]} == OVERSEAS_CODES


def test_source_credits_the_commune_centres_and_the_licence(data: dict[str, Any]) -> None:
    assert "centres des communes" in data["source"]
    assert "ODbL" in data["source"]


def test_json_stays_small() -> None:
    assert DATA_PATH.stat().st_size < 150 * 1024


# Projection


def test_paris_projects_inside_the_view_box() -> None:
    assert inside(projected(*PARIS), view_box())


def test_paris_is_north_of_marseille() -> None:
    assert projected(*PARIS)[1] < projected(*MARSEILLE)[1]


def test_paris_is_east_of_brest() -> None:
    assert projected(*PARIS)[0] > projected(*BREST)[0]


def test_metropolitan_scale_follows_the_cosine_of_46_5_degrees(data: dict[str, Any]) -> None:
    projection = data["projection"]
    assert projection["kx"] / projection["ky"] == pytest.approx(0.688, abs=0.001)


def test_a_reunion_point_projects_inside_the_reunion_inset(data: dict[str, Any]) -> None:
    assert inside(projected(*SAINT_DENIS_REUNION), inset_frame(data, "974"))


@pytest.mark.parametrize(
    ("latitude", "longitude", "department"),
    [
        (16.2411, -61.5331, "971"),  # Pointe-à-Pitre
        (14.6161, -61.0588, "972"),  # Fort-de-France
        (4.9224, -52.3135, "973"),  # Cayenne
        (-12.7806, 45.2279, "976"),  # Mamoudzou
    ],
)
def test_an_overseas_point_projects_inside_its_own_inset(
    data: dict[str, Any], latitude: float, longitude: float, department: str
) -> None:
    assert inside(projected(latitude, longitude, department), inset_frame(data, department))


def test_a_point_is_not_drawn_outside_its_department_frame() -> None:
    assert project(SAINT_DENIS_REUNION[0], SAINT_DENIS_REUNION[1], "75") is None


def test_a_new_caledonia_point_is_not_projected() -> None:
    assert project(*NOUMEA) is None


def test_a_point_without_department_is_located_by_its_coordinates() -> None:
    assert project(PARIS[0], PARIS[1], "") == projected(*PARIS)


def test_a_department_code_without_leading_zero_is_accepted() -> None:
    assert project(46.2, 5.22, "1") == project(46.2, 5.22, "01")


# build_map


def test_a_marker_without_coordinates_is_unplaced() -> None:
    marker = Marker("Centre sans adresse", "centre", "33", None, None)
    france_map = build_map([marker])
    assert france_map.unplaced == [marker]
    assert france_map.markers == []


def test_a_new_caledonia_marker_is_unplaced() -> None:
    marker = Marker("CP de Nouméa", "establishment", "988", NOUMEA[0], NOUMEA[1])
    france_map = build_map([marker])
    assert france_map.unplaced == [marker]


def test_placed_markers_keep_their_marker_and_projected_position() -> None:
    marker = Marker("CP Paris-La Santé", "establishment", "75", PARIS[0], PARIS[1], url="/e/1")
    (placed,) = build_map([marker]).markers
    assert placed.marker == marker
    assert (placed.x, placed.y) == projected(*PARIS)


def test_build_map_applies_department_classes() -> None:
    france_map = build_map([], {"75": "disp-paris", "2A": "disp-marseille"})
    classes = {department.code: department.css_class for department in france_map.departments}
    assert classes["75"] == "disp-paris"
    assert classes["2A"] == "disp-marseille"
    assert classes["29"] == ""


def test_emphasised_markers_are_drawn_first_so_smaller_ones_stay_visible() -> None:
    plain = Marker("Maison d'arrêt", "establishment", "13", MARSEILLE[0], MARSEILLE[1])
    emphasised = Marker("Centre pénitentiaire", "establishment", "13", 43.3, 5.4, emphasis=True)
    france_map = build_map([plain, emphasised])
    assert [placed.marker for placed in france_map.markers] == [emphasised, plain]
    assert france_map.has_emphasis


def test_legend_kinds_are_those_of_the_placed_markers_in_a_stable_order() -> None:
    france_map = build_map(
        [
            Marker("Mission locale", "mission_locale", "69", 45.76, 4.83),
            Marker("Centre", "centre", "33", None, None),
            Marker("Établissement", "establishment", "75", PARIS[0], PARIS[1]),
        ]
    )
    assert france_map.kinds == ["establishment", "mission_locale"]


# Template


def render(**context: Any) -> str:
    """Render the include with a sample map; no database, no installed app needed."""
    from django.conf import settings

    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure(USE_I18N=False)
    from django.template import Context, Engine

    france_map: FranceMap = build_map(
        [
            Marker(
                "CP <Paris>", "establishment", "75", PARIS[0], PARIS[1], url="/e/1", emphasis=True
            ),
            Marker("Cnam Réunion", "centre", "974", SAINT_DENIS_REUNION[0], SAINT_DENIS_REUNION[1]),
            Marker("Mission locale de Brest", "mission_locale", "29", BREST[0], BREST[1]),
            Marker("CP de Nouméa", "establishment", "988", NOUMEA[0], NOUMEA[1], url="/e/2"),
        ],
        {"75": "tremplin-map__department--tone-1"},
    )
    engine = Engine(dirs=[str(TEMPLATES_DIR)], libraries={"cache": "django.templatetags.cache"})
    template = engine.get_template("places/includes/france_map.html")
    return template.render(Context({"map": france_map, **context}))


@pytest.fixture(scope="module")
def rendered() -> str:
    return render()


def svg_root(rendered: str) -> ElementTree.Element:
    match = re.search(r'<svg class="tremplin-map__svg".*?</svg>', rendered, re.S)
    assert match is not None
    return ElementTree.fromstring(match.group(0))  # noqa: S314 (our own template's output)


def test_the_map_is_a_well_formed_svg_image_labelled_by_its_title_and_description(
    rendered: str,
) -> None:
    root = svg_root(rendered)
    namespace = "{http://www.w3.org/2000/svg}"
    # a group (not an image): its markers are links, which an image may not contain (axe:
    # nested-interactive); the drawing itself is hidden from assistive technologies
    assert root.get("role") == "group"
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    title = root.find(f"{namespace}title")
    desc = root.find(f"{namespace}desc")
    assert title is not None and title.get("id") == title_id
    assert desc is not None and desc.get("id") == desc_id
    assert title.text == "Carte de France des établissements"


def test_the_map_has_no_inline_style_nor_script(rendered: str) -> None:
    assert "style=" not in rendered
    assert "<style" not in rendered
    assert "<script" not in rendered


def test_markers_are_mouse_links_hidden_from_keyboards_with_an_escaped_title(rendered: str) -> None:
    # The page lists the same links in a table: the map's links would be silent tab stops.
    assert '<a class="tremplin-map__link" href="/e/1" tabindex="-1" aria-hidden="true">' in rendered
    assert "<title>CP &lt;Paris&gt;</title>" in rendered


def test_marker_kinds_have_distinct_shapes(rendered: str) -> None:
    assert re.search(
        r"tremplin-map__marker--establishment[^>]*><title>[^<]*</title><circle", rendered
    )
    assert re.search(r"tremplin-map__marker--centre[^>]*><title>[^<]*</title><rect", rendered)
    assert re.search(
        r"tremplin-map__marker--mission_locale[^>]*><title>[^<]*</title><path", rendered
    )


def test_department_classes_reach_the_svg(rendered: str) -> None:
    assert 'class="tremplin-map__department tremplin-map__department--tone-1"' in rendered


def test_unplaced_markers_are_listed_under_the_map(rendered: str) -> None:
    assert '<a href="/e/2">CP de Nouméa</a> (988)' in rendered


def test_a_page_listing_unplaced_markers_itself_can_hide_the_list_and_the_source() -> None:
    html = render(hide_unplaced=True, hide_source=True)
    assert "CP de Nouméa" not in html
    assert "ODbL" not in html


def test_numbers_are_not_localised(rendered: str) -> None:
    assert not re.search(r'(?:translate\(|x=")\d+,\d', rendered)


def test_the_rendered_map_is_cached_under_the_digest_of_what_it_draws() -> None:
    from django.template import Context, Engine

    def drawn(*labels: str) -> FranceMap:
        return build_map([Marker(label, "centre", "75", PARIS[0], PARIS[1]) for label in labels])

    assert drawn("Cnam Paris").fingerprint == drawn("Cnam Paris").fingerprint
    assert drawn("Cnam Paris").fingerprint != drawn("Cnam Paris 2").fingerprint
    engine = Engine(dirs=[str(TEMPLATES_DIR)], libraries={"cache": "django.templatetags.cache"})
    template = engine.get_template("places/includes/france_map.html")
    assert "Cnam Paris" in template.render(Context({"map": drawn("Cnam Paris")}))
    # Another state of the data is never answered from the first one's cached rendering.
    assert "Cnam Lutèce" in template.render(Context({"map": drawn("Cnam Lutèce")}))
