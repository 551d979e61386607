"""A report's detail table written by the `table_rows` tag is the very HTML of the template loop
it stands for, whatever its cells hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from tremplin.reporting.formats.pdf import display_table
from tremplin.reporting.tables import Table

LOOP = (
    '{% for row in sheet.rows %}<tr>{% for cell in row %}<td{% if cell.num %} class="NUM"'
    "{% endif %}>{{ cell.text }}</td>{% endfor %}</tr>{% endfor %}"
)


def cell(text: Any, num: bool = False) -> dict[str, Any]:
    return {"text": text, "num": num}


SHEETS = {
    "texts to escape": [
        [cell("Mission locale d'Évry & <Corbeil>"), cell('« 12 » "guillemets"', True)],
        [cell(mark_safe("<em>déjà sûr</em>")), cell("< 5", True)],
    ],
    "values that are not texts": [
        [cell(None), cell(12345, True), cell(56.25, True), cell(Decimal("12.50"), True)],
        [cell(True), cell(0, True), cell(""), cell(-3, True)],
    ],
    "no rows": [],
}


def rendered(template: str, sheet: list[list[dict[str, Any]]], autoescape: bool = True) -> str:
    return Template(template).render(Context({"sheet": {"rows": sheet}}, autoescape=autoescape))


@pytest.mark.parametrize("name", SHEETS)
@pytest.mark.parametrize("num_class", ["tr-num", "num"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_tag_writes_the_loop_s_html(name: str, num_class: str, autoescape: bool) -> None:
    sheet = SHEETS[name]
    loop = rendered(LOOP.replace("NUM", num_class), sheet, autoescape)
    tag = rendered(
        f'{{% load report_tables %}}{{% table_rows sheet "{num_class}" %}}', sheet, autoescape
    )
    assert tag == loop
    if sheet:
        assert loop.count("<td") == sum(len(row) for row in sheet)


def test_a_bilan_table_as_the_pages_show_it_is_written_the_same() -> None:
    table = Table(
        key="centres",
        name="Centres",
        title="Centres",
        headers=("Centre", "Orientations", "Taux"),
        rows=[("Cnam Évry", 1234, 56.25), ("Cnam <Ajaccio>", None, "< 5")],
    )
    sheet = display_table(table)
    loop = Template(LOOP.replace("NUM", "tr-num")).render(Context({"sheet": sheet}))
    tag = Template("{% load report_tables %}{% table_rows sheet %}").render(
        Context({"sheet": sheet})
    )
    assert tag == loop
    assert '<td class="tr-num">1\u202f234</td>' in tag
    assert "Cnam &lt;Ajaccio&gt;" in tag
