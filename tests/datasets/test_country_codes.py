"""The codes COW states get: ISO 3166 where one exists, documented X codes otherwise."""

import csv

import pytest

from alliances.models import validate_country_code
from milidip.datasets.importers.cow_states import ISO_CODES, USER_ASSIGNED_CODES, country_code
from tests.datasets.conftest import DATASETS_DIR


def cow_states():
    with open(DATASETS_DIR / "states2016.csv", newline="") as file:
        return {
            int(row["ccode"]): (row["stateabb"], row["statenme"]) for row in csv.DictReader(file)
        }


def test_every_state_in_the_file_gets_its_own_valid_code():
    codes = {cow: country_code(cow, name) for cow, (_, name) in cow_states().items()}
    assert len(codes) == 217
    assert None not in codes.values()
    assert len(set(codes.values())) == len(codes), "no two states share a code"
    for code in codes.values():
        validate_country_code(code)


def test_user_assigned_codes_follow_the_documented_rule():
    states = cow_states()
    for cow_code, code in USER_ASSIGNED_CODES.items():
        abbreviation = states[cow_code][0]
        assert code.startswith("X")
        if cow_code != 347:  # Kosovo: XKX, the code already in use
            assert code == f"X{abbreviation[0]}{abbreviation[-1]}", (cow_code, code)
    assert USER_ASSIGNED_CODES[347] == "XKX"
    assert len(set(USER_ASSIGNED_CODES.values())) == len(USER_ASSIGNED_CODES)
    assert not set(USER_ASSIGNED_CODES) & set(ISO_CODES)


KNOWN = {2: "USA", 732: "KOR", 731: "PRK", 730: "XKR", 305: "AUT", 900: "AUS", 343: "MKD"}
KNOWN |= {265: "DDR", 315: "CSK", 316: "CZE", 245: "XBV", 860: "TLS", 345: "SRB"}


@pytest.mark.parametrize(("cow_code", "code"), KNOWN.items())
def test_known_states(cow_code, code):
    assert country_code(cow_code, cow_states()[cow_code][1]) == code


def test_a_state_unknown_to_every_table_gets_no_invented_code():
    assert country_code(999, "Ruritania") is None
