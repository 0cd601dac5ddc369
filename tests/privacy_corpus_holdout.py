"""The held-out part of the redaction corpus (see ``privacy_corpus.py``).

Written together with the tuning part, by the same rules, and never used to
develop the redactor: its figures are reported on their own.
"""

from __future__ import annotations

from privacy_corpus import Case, case

HELD_OUT: tuple[Case, ...] = (
    case(
        "card",
        "ok the card is 5105 1051 0510 5100 exp 07/31 code 209",
        "5105105105105100",
        "07/31",
        "code 209",
    ),  # fmt: skip
    case(
        "card",
        "take it off my amex three seven one four four nine six three five three nine "
        "eight four three one",
        "371449635398431",
    ),  # fmt: skip
    case("card", "Discover 6011-0009-9013-9424 expiring 02/29", "6011000990139424", "02/29"),
    case("card", "number is 3530 1113 3330 0000 and it runs out in june", "3530111333300000"),
    case(
        "card",
        "so that's four five five six seven three seven five eight six eight nine nine "
        "eight five five",
        "4556737586899855",
    ),  # fmt: skip
    case("card", "4222222222222", "4222222222222"),
    case(
        "card",
        "my card's 5555 5555 5555 4444, expiry 11 29, 3-digit 844",
        "5555555555554444",
        "11 29",
        "3-digit 844",
    ),  # fmt: skip
    case(
        "card-split",
        ("let me give you the card", "the first eight are 4556 7375", "then 8689 9855"),
        "45567375",
        "86899855",
    ),  # fmt: skip
    case(
        "card-split",
        (
            "paying with visa debit",
            "four five five six",
            "seven three seven five",
            "eight six eight nine",
            "nine eight five five",
        ),
        "four five five six",
        "seven three seven five",
        "eight six eight nine",
        "nine eight five five",
    ),  # fmt: skip
    case("code", "security number on the back is 5 1 9", "5 1 9"),
    case("code", "the three numbers on the back are eight eight two", "eight eight two"),
    case("code", "cvc: 0447", "cvc: 0447"),
    case("expiry", "card expiry is the end of 08/2030", "08/2030"),
    case("expiry", "it expires oh two thirty", "oh two thirty"),
    case("email", "contact: lydia.rodarte-quayle@madrigal.de", "rodarte", "madrigal"),
    case("email", "it's gus at los pollos dot biz", "pollos dot biz"),
    case("email", "mike dot ehrmantraut at gmail dot com", "ehrmantraut"),
    case("email", "todd@vamonos-pest.services", "vamonos"),
    case("email", "e-mail is kim.wexler@hhm.law", "wexler"),
    case("email", "my work one is h dot schrader at dea dot gov", "h dot schrader"),
    case("phone", "my landline is 0161 496 0734", "01614960734"),
    case("phone", "mobile: +49 151 23456789", "4915123456789"),
    case("phone", "you can ring me at 07700 900 123", "07700900123"),
    case("phone", "call me on five oh five, five five five, oh one eight eight", "5055550188"),
    case("phone", "it's 505 555 0173 or my wife's 505 555 0174", "5055550173", "5055550174"),
    case(
        "phone",
        "number is plus four four seven seven oh oh nine oh oh seven one two",
        "447700900712",
    ),  # fmt: skip
    case("phone", "(505) 555-0155 ext 12", "5055550155"),
    case("ssn", "social security 123 45 6780", "123456780"),
    case("ssn", "my ssn is one two three four five six seven eight nine", "123456789"),
    case(
        "address",
        "please ship to 3828 Piermont Drive NE, Albuquerque, NM 87111",
        "piermont",
        "87111",
    ),  # fmt: skip
    case("address", "my address is forty two wallaby way sydney", "wallaby"),
    case("address", "it's 10 Downing Street, London SW1A 2AA", "downing", "sw1a 2aa"),
    case("address", "send it to 1313 Mockingbird Lane", "mockingbird"),
    case("address", "P.O. Box 1122, Hill Valley CA 95420", "box 1122", "95420"),
    case(
        "address",
        "I'm at 350 Fifth Avenue, apartment 21, New York NY 10118",
        "fifth avenue",
        "10118",
    ),  # fmt: skip
    case("dob", "date of birth 14 February 1971", "14 february 1971"),
    case(
        "dob",
        "I was born on the second of may two thousand and one",
        "second of may two thousand and one",
    ),  # fmt: skip
    case("dob", "D.O.B. 02-28-1993", "02-28-1993"),
    case(
        "dob", "my birthday's december twelfth nineteen sixty", "december twelfth", "nineteen sixty"
    ),  # fmt: skip
    case("dob", "born 1988/10/05", "1988/10/05"),
    case(
        "mixed",
        "hey it's about order 2915, reach me at 505-555-0129 or skinny.pete@kcrew.net",
        "5055550129",
        "kcrew",
    ),  # fmt: skip
    case(
        "mixed",
        (
            "I moved house",
            "new address is 6353 Juan Tabo Blvd, Albuquerque",
            "and my date of birth is 5/3/1975 if you need it",
        ),
        "juan tabo",
        "5/3/1975",
    ),  # fmt: skip
    case(
        "mixed",
        "my card 4111111111111111 and phone 07700900777 and email a@b.xyz",
        "4111111111111111",
        "07700900777",
        "a@b.xyz",
    ),  # fmt: skip
)
