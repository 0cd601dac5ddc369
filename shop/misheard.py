"""Putting misheard catalog words back: "santa coo knife" -> "santoku knife".

Two or three neighbouring words that together sound like a catalog word (or
like two neighbouring words of one product's name) are replaced by it; a
single word is re-read only if it is rare in English or stands next to a
word the catalog uses ("electric cattle"), and a rare word with no catalog
word beside it must also be spelled alike. A word the NLU asks with ("do
you stock violins") is never re-read. Sounds come from
:class:`hark.shop.phonetic.PhoneticIndex`; the catalog's own words, stop words
and stemming are passed in, so this module knows no shop.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from hark.shop.phonetic import PhoneticIndex, is_common_word
from hark.shop.product_words import UNIT_WORDS

#: Words that point back at something: a span ending on one is a verb and its object
#: ("make it", "take them"), never the halves of a misheard name.
_OBJECT_WORDS = frozenset({"it", "them", "that", "this", "those", "these", "one", "ones"})
#: Spelling ratio a rare word needs to be re-read as a catalog word with none beside it.
LONE_WORD_RATIO = 70.0


def repair(
    tokens: list[str],
    index: PhoneticIndex,
    is_known: Callable[[str], bool],
    request_words: Collection[str],
    stopwords: Collection[str],
    stem: Callable[[str], str],
) -> list[str]:
    """The tokens with misheard catalog words replaced by the catalog's words."""
    n = len(tokens)

    def asked_with(i: int) -> bool:
        """ "do you stock violins": a word the NLU knows from its own training data,
        right before a catalog word, is how the caller asks, not a misheard name."""
        return tokens[i] in request_words and i + 1 < n and is_known(tokens[i + 1])

    out: list[str] = []
    i = 0
    while i < n:
        tok = tokens[i]
        measured = i > 0 and tokens[i - 1].isdigit() and tok in UNIT_WORDS  # "28 litre"
        if not tok.isalpha() or asked_with(i) or measured:
            out.append(tok)
            i += 1
            continue
        options: list[tuple[float, int, tuple[str, ...]]] = []  # (ratio, words used, target)
        for k in (3, 2):
            span = tokens[i : i + k]
            if (
                len(span) < k
                or not all(t.isalpha() for t in span)
                or all(is_known(t) or t in stopwords for t in span)
                or (is_known(tok) and k == 3)
                or (tok in stopwords and len(tok) > 2)  # "need a new" is no word
                or span[-1] in _OBJECT_WORDS  # "make it three": a verb and what it acts on
            ):
                continue
            glued = "".join(span)
            found = index.match(glued)
            # a span that starts or ends on a function word ("a critic") must be spelled
            # closer, and every word of it must be part of what it sounds like
            closeness = 65.0 if span[0] in stopwords or span[-1] in stopwords else 0.0
            # "the backpack broke" is no "backpacking": a catalog word heard whole is not
            # lengthened into another by the word after it
            lengthened = (
                found is not None
                and is_known(tok)
                and len(found[0]) == 1
                and found[0][0].startswith(tok)
            )
            if (
                found is not None
                and not lengthened
                and len(glued) >= 5
                and found[1] >= closeness
                and abs(len("".join(found[0])) - len(glued)) <= 2
            ):
                options.append((found[1], k, found[0]))
        if is_known(tok) and not options:
            out.append(tok)
            i += 1
            continue
        if not is_known(tok) and tok not in stopwords and len(tok) >= 4:
            beside = (i > 0 and is_known(tokens[i - 1])) or (i + 1 < n and is_known(tokens[i + 1]))
            if beside or not is_common_word(tok):
                found = index.match(tok)
                # with no catalog word beside it, a rare word must also be spelled alike
                close = found is not None and (beside or found[1] >= LONE_WORD_RATIO)
                if found is not None and close and len(found[0]) == 1 and found[0][0] != stem(tok):
                    options.append((found[1], 1, found[0]))
        if (
            options
            and tok in stopwords
            and i + 1 < n
            and len(tokens[i + 1]) >= 4
            and index.match(tokens[i + 1]) is not None
        ):
            options = []  # "a coating robot": the next word alone is the better reading
        if options:
            # a longer stretch that sounds like one catalog word is the likelier reading
            _, used, target = max(options, key=lambda o: (o[0] + 6.0 * (o[1] - 1), o[1]))
            out.extend(target)
            i += used
            continue
        out.append(tok)
        i += 1
    return out
