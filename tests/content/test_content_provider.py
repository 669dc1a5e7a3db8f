"""provider.yml: the real file, its checks, and the statements certificates print."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ce_platform.content import load_provider, parse_provider

from .coursekit import PROVIDER_YML, found, line_of, replace_line

REAL_COURSES = Path(__file__).resolve().parents[2] / "courses"


def test_real_provider_file_is_a_specimen_with_no_other_diagnostic():
    provider, diags = load_provider(REAL_COURSES / "provider.yml")

    assert found(diags) == {("provider.yml", 6, "warning", "P009")}
    assert provider is not None and provider.specimen
    assert {"apa", "ace", "nbcc", "ancc"} <= set(provider.accreditations)
    assert provider.signer.name and provider.signer.title
    assert provider.source_text == (REAL_COURSES / "provider.yml").read_text(encoding="utf-8")


def test_provider_fields_are_read(provider):
    assert provider.name == "Example Provider"
    assert provider.address == "1 Example Street, Portland, OR 97201"
    assert (provider.signer.name, provider.signer.title, provider.signer.signature) == (
        "Dana Reyes, PhD",
        "CE Program Director",
        None,
    )
    ace = provider.accreditations["ace"]
    assert ace.key == "ace"
    assert ace.body == "ASWB ACE"
    assert ace.provider_number == "1234"
    assert ace.unit == "continuing education credits"
    assert ace.professions == ("social_worker",)
    assert provider.specimen is False
    assert (ace.approval_start, ace.approval_end) == (date(2026, 1, 1), date(2028, 12, 31))
    assert ace.formats == ["asynchronous"]
    assert ace.commensurate is False
    apa = provider.accreditations["apa"]
    assert apa.provider_number is None and apa.approval_start is None and apa.formats == []


def test_statement_is_filled_for_a_course(provider):
    assert provider.accreditations["ace"].render_statement("Example Provider", Decimal("1.5")) == (
        "Example Provider, provider #1234, approval period 2026-01-01 - 2028-12-31."
    )
    apa = provider.accreditations["apa"]
    assert apa.render_statement("Example Provider", Decimal("1"), {"ethics": Decimal("1")}) == (
        "Example Provider is approved by the APA. 1.0 ethics CE credits."
    )


def test_statement_credit_words_name_every_credit_category_of_the_course(provider):
    apa = provider.accreditations["apa"]
    credits = {"ethics": Decimal("0.5"), "general": Decimal("0.5")}

    assert apa.render_statement("P", Decimal("1"), credits) == (
        "P is approved by the APA. 0.5 ethics and 0.5 general CE credits."
    )


def test_accreditation_is_active_only_within_its_approval_period(provider):
    ace = provider.accreditations["ace"]

    assert not ace.is_active_on(date(2025, 12, 31))
    assert ace.is_active_on(date(2026, 1, 1))
    assert ace.is_active_on(date(2028, 12, 31))
    assert not ace.is_active_on(date(2029, 1, 1))
    assert provider.accreditations["apa"].is_active_on(date(1990, 1, 1))


def test_commensurate_flag_is_read():
    text = PROVIDER_YML + (
        "  accme:\n    body: ACCME\n"
        '    commensurate: true\n    statement: "{provider} designates {ce_hours} {unit}."\n'
    )

    provider, diags = parse_provider(text)

    assert diags == []
    assert provider.accreditations["accme"].commensurate is True


def test_missing_required_provider_key_is_an_error():
    text = replace_line(PROVIDER_YML, "address: 1 Example Street, Portland, OR 97201\n", "")

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {("provider.yml", 1, "error", "F007")}


def test_unknown_provider_key_is_an_error_at_its_line():
    text = replace_line(PROVIDER_YML, "name: Example Provider", "name: Example Provider\nphone: 5")

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", 2, "error", "F006")}


def test_missing_signer_title_is_an_error_at_the_signer():
    text = replace_line(PROVIDER_YML, "  title: CE Program Director\n", "")

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", line_of(text, "  name: Dana Reyes"), "error", "F007")}


def test_unquoted_provider_number_is_a_type_error():
    text = replace_line(PROVIDER_YML, 'provider_number: "1234"', "provider_number: 1234")

    _, diags = parse_provider(text)

    assert found(diags) == {
        ("provider.yml", line_of(text, "provider_number: 1234"), "error", "F008")
    }


def test_unknown_statement_placeholder_is_an_error_at_the_statement():
    text = replace_line(PROVIDER_YML, "{credits} {unit}.", "{hours} {unit}.")

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", line_of(text, "{hours}"), "error", "P002")}
    assert "{hours}" in diags[0].message


def test_malformed_statement_placeholder_is_an_error():
    text = replace_line(PROVIDER_YML, "{credits} {unit}.", "{credits {unit}.")

    _, diags = parse_provider(text)

    assert {d.code for d in diags} == {"P002"}


def test_statement_using_an_unset_provider_number_is_an_error():
    text = replace_line(
        PROVIDER_YML,
        '"{provider} is approved by the APA. {credits} {unit}."',
        '"{provider} #{provider_number}."',
    )

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", line_of(text, "#{provider_number}"), "error", "P003")}


def test_statement_using_an_unset_approval_period_is_an_error():
    text = replace_line(PROVIDER_YML, '"{provider} offers live events."', '"Until {approval_end}."')

    _, diags = parse_provider(text)

    assert found(diags) == {
        ("provider.yml", line_of(text, "Until {approval_end}"), "error", "P003")
    }


def test_approval_period_ending_before_it_starts_is_an_error():
    text = replace_line(
        PROVIDER_YML,
        "approval_period: {start: 2026-01-01, end: 2028-12-31}",
        "approval_period:\n      start: 2026-01-01\n      end: 2025-12-31",
    )

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", line_of(text, "end: 2025-12-31"), "error", "P004")}


def test_accreditation_key_that_is_not_a_slug_is_an_error():
    text = replace_line(PROVIDER_YML, "  live-only:", "  Live Only:")

    _, diags = parse_provider(text)

    assert found(diags) == {("provider.yml", line_of(text, "Live Only:"), "error", "P005")}


def test_provider_without_accreditations_is_a_warning():
    text = PROVIDER_YML[: PROVIDER_YML.index("accreditations:")] + "accreditations: {}\n"

    provider, diags = parse_provider(text)

    assert provider is not None
    assert found(diags) == {("provider.yml", line_of(text, "accreditations:"), "warning", "P006")}


def test_provider_yaml_syntax_error_is_reported_at_its_line():
    text = replace_line(
        PROVIDER_YML, "  title: CE Program Director", "  title: [CE Program Director"
    )

    provider, diags = parse_provider(text)

    assert provider is None
    assert [d.code for d in diags] == ["F004"]
    assert diags[0].line >= line_of(text, "title: [CE")


def test_provider_errors_in_several_accreditations_are_all_reported():
    text = replace_line(PROVIDER_YML, "    body: ASWB ACE\n", "")
    text = replace_line(text, 'provider_number: "1234"', 'provider_number: "1234"\n    fee: 10')
    text = replace_line(text, "formats: [live]", "formats: live")

    _, diags = parse_provider(text)

    assert found(diags) == {
        ("provider.yml", line_of(text, 'provider_number: "1234"'), "error", "F007"),
        ("provider.yml", line_of(text, "fee: 10"), "error", "F006"),
        ("provider.yml", line_of(text, "formats: live"), "error", "F008"),
    }


@pytest.mark.parametrize("text", ["", "just a string", "- a\n- list", "{{{", "\x00\x01"])
def test_garbage_provider_text_gives_errors_not_exceptions(text):
    provider, diags = parse_provider(text)

    assert provider is None
    assert diags and all(d.severity == "error" for d in diags)
    assert "F999" not in {d.code for d in diags}


def test_missing_provider_file_is_an_error(tmp_path):
    provider, diags = load_provider(tmp_path / "provider.yml")

    assert provider is None
    assert found(diags) == {("provider.yml", 1, "error", "P001")}


def test_provider_file_that_is_not_utf8_is_an_error(tmp_path):
    (tmp_path / "provider.yml").write_bytes(b"name: Caf\xe9\n")

    provider, diags = load_provider(tmp_path / "provider.yml")

    assert provider is None
    assert found(diags) == {("provider.yml", 1, "error", "F001")}


def test_render_statement_leaves_unknown_placeholders_visible_instead_of_raising(provider):
    accreditation = provider.accreditations["apa"]
    accreditation.statement = "{provider} {unknown} {"

    assert accreditation.render_statement("P", Decimal("1")) == "{provider} {unknown} {"
    accreditation.statement = "{provider} {unknown}"
    assert accreditation.render_statement("P", Decimal("1")) == "P {unknown}"


def test_retired_credit_type_key_is_a_warning_and_its_placeholder_an_error():
    text = replace_line(
        PROVIDER_YML,
        '    statement: "{provider} is approved by the APA. {credits} {unit}."',
        '    credit_type: CE\n    statement: "{provider} is approved. {ce_hours} {credit_type}."',
    )

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {
        ("provider.yml", line_of(text, "credit_type: CE"), "warning", "P007"),
        ("provider.yml", line_of(text, "{credit_type}"), "error", "P002"),
    }
    assert "{credits}" in next(d.message for d in diags if d.code == "P002")


def test_old_provider_with_credit_type_but_no_such_placeholder_still_parses():
    text = replace_line(
        PROVIDER_YML, "    body: ASWB ACE\n", "    body: ASWB ACE\n    credit_type: clinical\n"
    )

    provider, diags = parse_provider(text)

    assert provider is not None
    assert found(diags) == {
        ("provider.yml", line_of(text, "credit_type: clinical"), "warning", "P007")
    }


@pytest.mark.parametrize("number", ["0000", "P0000", "0", "abc000"])
def test_placeholder_provider_number_is_an_error_unless_the_provider_is_a_specimen(number):
    text = replace_line(PROVIDER_YML, 'provider_number: "1234"', f'provider_number: "{number}"')

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {
        ("provider.yml", line_of(text, f'provider_number: "{number}"'), "error", "P008")
    }

    specimen, diags = parse_provider("specimen: true\n" + text)

    assert specimen is not None and specimen.specimen
    assert found(diags) == {("provider.yml", 1, "warning", "P009")}


@pytest.mark.parametrize("number", ["1000", "P0001", "00A0"])
def test_real_looking_provider_numbers_are_accepted(number):
    text = replace_line(PROVIDER_YML, 'provider_number: "1234"', f'provider_number: "{number}"')

    provider, diags = parse_provider(text)

    assert provider is not None and diags == []


def test_ancc_statement_saying_approved_by_the_ancc_commission_is_an_error():
    wrong = (
        '    statement: "{provider} is approved as a provider of nursing continuing professional '
        "development by the American Nurses Credentialing Center's Commission on Accreditation.\""
    )
    text = PROVIDER_YML + "  ancc:\n    body: ANCC\n" + wrong + "\n"

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {
        ("provider.yml", line_of(text, "is approved as a provider"), "error", "P010")
    }
    assert "accredited as a provider of nursing" in diags[0].message


@pytest.mark.parametrize(
    "statement",
    [
        "{provider} is accredited as a provider of nursing continuing professional development by "
        "the American Nurses Credentialing Center's Commission on Accreditation.",
        "{provider} is approved as a provider of nursing continuing professional development by "
        "the Example State Nurses Association, an accredited approver by the American Nurses "
        "Credentialing Center's Commission on Accreditation.",
    ],
)
def test_ancc_accredited_and_approved_provider_wordings_are_accepted(statement):
    text = PROVIDER_YML + f'  ancc:\n    body: ANCC\n    statement: "{statement}"\n'

    provider, diags = parse_provider(text)

    assert diags == []
    assert provider.accreditations["ancc"].unit == "contact hours"
    assert provider.accreditations["ancc"].professions == ("nurse",)


def test_unit_and_professions_may_be_set_per_accreditation():
    text = PROVIDER_YML + (
        "  state-board:\n    body: Example State Board\n    unit: CE units\n"
        "    professions: [counselor, mft]\n"
        '    statement: "{provider} offers {credits} {unit}."\n'
    )

    provider, diags = parse_provider(text)

    assert diags == []
    board = provider.accreditations["state-board"]
    assert (board.unit, board.professions) == ("CE units", ("counselor", "mft"))
    assert board.render_statement("P", Decimal("2"), {"clinical": Decimal("2")}) == (
        "P offers 2.0 clinical CE units."
    )
