"""Callers' personal data, as callers say and type it: the redaction corpus.

Each case is one conversation: its turns are sent in order, and none of its
``secrets`` may be found afterwards in the logs, the database or what the LLM
was sent. A secret with 7 or more digits is searched as its digits (however
they were separated); a shorter or digit-free secret is searched as written
(case and spacing ignored), so short codes are given with a word of their
context ("is 552") to keep them from matching unrelated numbers in a dump.

``TUNING`` is what the redactor was developed against. ``HELD_OUT`` lives in
``privacy_corpus_holdout.py``: written at the same time, by the same rules,
and never used to tune anything; its results are reported separately.

Card numbers are the card networks' published test numbers; phone numbers
are from the ranges reserved for fiction (555-01xx, Ofcom's 07700 900xxx).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    kind: str
    turns: tuple[str, ...]
    secrets: tuple[str, ...]


def case(kind: str, turns: str | tuple[str, ...], *secrets: str) -> Case:
    return Case(kind, (turns,) if isinstance(turns, str) else tuple(turns), tuple(secrets))


TUNING: tuple[Case, ...] = (
    # --- card numbers, written ------------------------------------------------------
    case("card", "my card number is 4111 1111 1111 1111", "4111111111111111"),
    case("card", "Visa 4111-1111-1111-1111, 09/29, 123", "4111111111111111", "09/29", "1111, 09"),
    case("card", "4111 1111 1111 1111 12 27", "4111111111111111", "1111 12 27"),
    case("card", "can I just pay with 5500005555555559 exp 0828", "5500005555555559", "exp 0828"),
    case("card", "amex 3782 822463 10005", "378282246310005"),
    case(
        "card",
        "Card: 6011 1111 1111 1117 - expires 04/30 - CVV 318",
        "6011111111111117",
        "04/30",
        "cvv 318",
    ),  # fmt: skip
    case(
        "card",
        "my debit card is 4000056655665556 and the security code is 902",
        "4000056655665556",
        "is 902",
    ),  # fmt: skip
    case("card", "use the mastercard ending 5555 5555 5555 4444", "5555555555554444"),
    case("card", "It's 4242.4242.4242.4242", "4242424242424242"),
    case("card", "cc# 4012888888881881 exp 1/28 cvc 771", "4012888888881881", "cvc 771"),
    case("card", "diners club 3056 930902 5904", "30569309025904"),
    case("card", "my credit card is 4111 1111 1111 1112 i think", "4111111111111112"),
    # --- card numbers, spoken ------------------------------------------------------
    case(
        "card",
        "four one one one one one one one one one one one one one one one",
        "4111111111111111",
        "four one one one one one one one",
    ),  # fmt: skip
    case(
        "card",
        "yeah it's four two four two four two four two four two four two four two "
        "four two expires oh nine twenty nine",
        "4242424242424242",
        "oh nine twenty nine",
    ),  # fmt: skip
    case(
        "card",
        "my visa is four oh oh oh oh five six six five five six six five five five six",
        "4000056655665556",
        "five five six six five five five six",
    ),  # fmt: skip
    case(
        "card",
        "card number five five oh oh double oh five five five five five five five five five nine",
        "5500005555555559",
    ),  # fmt: skip
    case(
        "card",
        "it's five one oh five one oh five one oh five one oh five one oh oh and the "
        "code on the back is three four one",
        "5105105105105100",
        "three four one",
    ),  # fmt: skip
    case(
        "card",
        "um my card is four one one one uh one one one one um one one one one one one one one",
        "4111111111111111",
    ),  # fmt: skip
    case(
        "card",
        "thirty seven eighty two eight two two four six three one zero zero zero five",
        "378282246310005",
    ),  # fmt: skip
    case(
        "card",
        "forty one eleven eleven eleven eleven eleven eleven eleven eleven",
        "4111111111111111",
        "eleven eleven eleven eleven",
    ),  # fmt: skip
    # --- card numbers across turns ----------------------------------------------------
    case(
        "card-split",
        ("I'd like to pay with my visa", "it starts with 4000 0566", "and ends with 5566 5556"),
        "40000566",
        "55665556",
    ),  # fmt: skip
    case(
        "card-split",
        (
            "can I read you my card number",
            "four one one one one one one one",
            "one one one one one one one one",
            "and the expiry is oh nine twenty nine",
        ),
        "four one one one one one one one",
        "one one one one one one one one",
        "oh nine twenty nine",
    ),  # fmt: skip
    case(
        "card-split",
        (
            "here's my mastercard 5105 1051",
            "0510 5100 expires 08 28",
            "and the security code is 614",
        ),
        "51051051",
        "05105100",
        "08 28",
        "is 614",
    ),  # fmt: skip
    case(
        "card-split",
        ("my credit card number is", "5555 5555", "5555 4444", "code 7319"),
        "55555555",
        "55554444",
        "code 7319",
    ),  # fmt: skip
    case(
        "card-split",
        (
            "I want to pay by card",
            "it's four two four two four two four two",
            "four two four two four two four two and it expires march twenty twenty eight",
        ),
        "four two four two four two four two",
        "march twenty twenty eight",
    ),  # fmt: skip
    # --- security codes and expiry dates --------------------------------------------------
    case("code", "the code is 552", "is 552"),
    case("code", "the number on the back is 729", "is 729"),
    case("code", "the last three digits on the back are 661", "are 661"),
    case("code", "cvv is 4 8 3", "4 8 3"),
    case("code", "my security code is nine one seven", "nine one seven"),
    case("code", "three digit code 448", "code 448"),
    case("code", "CID 7312", "cid 7312"),
    case("code", "and the pin is 2580", "is 2580"),
    case("expiry", "the expiry date is 11/27", "11/27"),
    case(
        "expiry", "my card expires in september twenty twenty nine", "september twenty twenty nine"
    ),
    case("expiry", "exp date oh six slash twenty seven", "oh six slash twenty seven"),
    case("expiry", "valid thru 10 / 2028", "10 / 2028"),
    # --- e-mail addresses ---------------------------------------------------------------
    case("email", "my email is hank@schrader.email", "hank@schrader.email", "schrader"),
    case("email", "hank at schrader dot email", "schrader"),
    case("email", "send the receipt to marie.curie@radium.xyz please", "marie.curie", "radium"),
    case("email", "it's j.doe+shop@lawfirm.legal", "j.doe+shop", "lawfirm"),
    case("email", "buyer@my-corner.shop", "my-corner"),
    case("email", "it is j a n e . d o e @ g m a i l . c o m", "j a n e", "d o e", "g m a i l"),
    case("email", "email: jane . doe @ gmail . com", "jane . doe", "gmail"),
    case("email", "Email: tomasz.nowak@wp.pl", "tomasz.nowak"),
    case(
        "email",
        "you can reach me on anna_k1987@gmail.com or anna@kowalska.online",
        "anna_k1987",
        "kowalska",
    ),  # fmt: skip
    case(
        "email", "my email is jenny dot lee at outlook dot com", "jenny dot lee", "lee at outlook"
    ),
    case(
        "email",
        "it's b o b underscore s m i t h at yahoo dot co dot uk",
        "b o b underscore",
        "s m i t h",
    ),  # fmt: skip
    case("email", "saul at goodman dot legal", "goodman"),
    case(
        "email",
        "write to me at walter.white@grey-matter.online thanks",
        "grey-matter",
        "walter.white",
    ),
    case("email", "HANK@SCHRADER.EMAIL", "schrader"),
    case("email", "my address is skyler at white dot shop", "skyler at white"),
    # --- phone numbers --------------------------------------------------------------------
    case("phone", "call me on 07700 900462", "07700900462"),
    case("phone", "my number is 0044 7700 900463", "00447700900463", "7700900463"),
    case("phone", "+44 7700 900464", "447700900464"),
    case("phone", "you can call me at (202) 555-0143", "2025550143"),
    case("phone", "my cell is 312.555.0199", "3125550199"),
    case("phone", "phone: +1 646 555 0178", "16465550178"),
    case("phone", "call 212-555-0107 or 212-555-0108", "2125550107", "2125550108"),
    case("phone", "my numbers are 202 555 0111, 202 555 0112", "2025550111", "2025550112"),
    case(
        "phone",
        "my mobile is oh seven seven hundred nine hundred four six five",
        "07700900465",
        "nine hundred four six five",
    ),  # fmt: skip
    case("phone", "it's four one five five five five oh one nine two", "4155550192"),
    case(
        "phone",
        "call me back on five five five oh one two three",
        "five five five oh one two three",
    ),
    case("phone", "reach me at +33 6 12 34 56 78", "33612345678"),
    case("phone", "my phone number is 020 7946 0958", "02079460958"),
    case("phone", "mobile 0412 345 678", "0412345678"),
    case("phone", "text me at 1-800-555-0199", "18005550199"),
    case(
        "phone",
        "my number's double oh four four seven seven double oh nine double oh four six six",
        "00447700900466",
    ),  # fmt: skip
    # --- social security numbers -----------------------------------------------------------
    case("ssn", "my social is 078-05-1120", "078051120"),
    case("ssn", "social security number five two one four one two nine eight seven", "521412987"),
    case("ssn", "SSN 219 09 9999", "219099999"),
    # --- street addresses ---------------------------------------------------------------------
    case(
        "address", "my address is 742 Evergreen Terrace, Springfield", "742 evergreen", "evergreen"
    ),
    case(
        "address",
        "ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500",
        "pennsylvania avenue",
        "dc 20500",
    ),  # fmt: skip
    case(
        "address",
        "I live at three oh eight negra arroyo lane albuquerque new mexico eight seven one oh four",
        "negra arroyo",
        "eight seven one oh four",
    ),  # fmt: skip
    case("address", "deliver to 221B Baker Street, London NW1 6XE", "baker street", "nw1 6xe"),
    case("address", "can you send it to apartment 3B, 455 Larkspur Drive", "larkspur"),
    case("address", "my billing address is PO Box 4471, Tulsa OK 74101", "box 4471", "74101"),
    case("address", "it's 12 Grimmauld Place, London", "grimmauld"),
    case("address", "the house is at 31 Spooner Street Quahog Rhode Island", "spooner"),
    case("address", "send it to twenty nine acacia road", "acacia"),
    case("address", "new address: 4 Privet Drive, Little Whinging, Surrey", "privet"),
    case("address", "I moved to 1428 Elm St. Apt 5, Springwood OH 44101", "1428 elm", "44101"),
    # --- dates of birth -------------------------------------------------------------------------
    case("dob", "my date of birth is 03/04/1985", "03/04/1985", "03041985"),
    case("dob", "I was born on March 3rd, 1985", "march 3rd, 1985", "3rd, 1985"),
    case("dob", "DOB 1985-03-04", "1985-03-04"),
    case(
        "dob",
        "my birthday is the fourth of july nineteen seventy six",
        "fourth of july nineteen seventy six",
        "nineteen seventy six",
    ),  # fmt: skip
    case("dob", "date of birth oh three oh four eighty five", "oh three oh four eighty five"),
    case("dob", "I was born 12 June 1990", "12 june 1990", "june 1990"),
    case("dob", "birth date: 7.11.1962", "7.11.1962"),
    case(
        "dob",
        "i was born on the twenty first of september nineteen ninety",
        "twenty first of september",
        "nineteen ninety",
    ),  # fmt: skip
    case("dob", "born in 1979", "in 1979"),
    case("dob", "my dob is 11/23/1964", "11/23/1964"),
    # --- several kinds at once, and ids in the middle of other talk ----------------------------------
    case(
        "mixed",
        "hi I'm calling about order 5274, my email is hank@schrader.email and my "
        "number is 202-555-0177",
        "schrader",
        "2025550177",
    ),  # fmt: skip
    case(
        "mixed",
        "update my details: 308 Negra Arroyo Lane, phone 505 555 0142, born 09/07/1958",
        "negra arroyo",
        "5055550142",
        "09/07/1958",
    ),  # fmt: skip
    case(
        "mixed",
        "where's my order, my zip is 87104 and my phone is five oh five five five five "
        "oh one four eight",
        "5055550148",
        "zip is 87104",
    ),  # fmt: skip
    case(
        "mixed",
        "the card on file is 4111 1111 1111 1111 and my email is jesse at pinkman dot xyz",
        "4111111111111111",
        "pinkman",
    ),  # fmt: skip
    case(
        "mixed",
        (
            "I need to change my address",
            "it's 9 Jackson Heights Road, Austin TX 78701",
            "and my new number is 512 555 0163",
        ),
        "jackson heights",
        "78701",
        "5125550163",
    ),  # fmt: skip
    case("mixed", "IBAN DE89 3704 0044 0532 0130 00", "370400440532013000"),
    case(
        "mixed",
        "my routing number is 021000021 and account number 123456789012",
        "021000021",
        "123456789012",
    ),  # fmt: skip
)
