"""The conversational wrapping around a request: frames, hedges and discourse markers.

Callers don't say "kite"; they say "right so basically do you sell kites or
not" or "what's the cheapest kite you've got". Every shop's customers wrap
requests in the same English: request frames ("do you guys carry", "I'm
after", "I was wondering"), hedges ("kind of", "you know", "I guess"),
discourse markers ("basically", "honestly", "so") and tails ("or not", "if
you've got it", "these days"). None of it ever names a product or a policy,
in any shop, so it is removed before the words are matched against the
catalog and the FAQ; what is left is the request.

This is English phrasing, not shop data: it never mentions a product.
Works on normalised tokens (lowercase, no apostrophes: "youve", "im").
"""

from __future__ import annotations

#: Multi-word phrases that carry no request content, longest first when matched.
_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in """
            happen to|by any chance|over there
            youve got|you have got|you got|have you got|got any|youd have|you might have
            if youve got it|if you have it|if you have one|if you have any|if you do
            or not|or what|or anything|or something|and stuff|and all that|and everything|at all
            you know|i mean|i guess|i suppose|i think|i reckon|i believe|kind of|sort of|kinda
            sorta|let me see|lets see|let me think|to be honest|to be fair|at the moment
            i was wondering|i was just wondering|was wondering|just wondering|i wonder
            i was thinking|i was thinking of|i was thinking about|im thinking|thinking about
            quick question|a quick question|one more thing|another thing|two things
            i have a question|i got a question|ive got a question|can i ask|could i ask
            these days|right now at the moment|for me please|if possible|if you can
            in the way of|in the market for|on the lookout for|im after|i am after
            any chance|is there any chance
            just checking|just curious|im just curious|i was curious|just a question
            going for|sell for|go for
            """.replace("\n", "|").split("|")
            if p.strip()
        ),
        key=len,
        reverse=True,
    )
)

#: Single words that only steer the talk ("basically", "honestly"), never a request.
_MARKERS: frozenset[str] = frozenset(
    """
    so basically actually honestly literally really seriously anyway anyways alright right
    well just um uh hmm mm oh hey hi hello hiya yo okay ok please kindly maybe perhaps
    probably possibly
    """.split()  # noqa: SIM905 - a word list reads better as text
)

#: How callers address the shop after "you": "you guys", "you folks", "you lot".
_ADDRESS: frozenset[str] = frozenset({"guys", "folks", "lot", "people", "all", "two"})

#: Markers that are also answers: kept when the turn is nothing else ("ok", "right").
_ANSWERS: frozenset[str] = frozenset({"ok", "okay", "alright", "right", "yes", "yeah", "sure"})


def strip_chatter(tokens: list[str]) -> list[str]:
    """The tokens without conversational wrapping; the tokens unchanged if nothing would be left.

    >>> strip_chatter("right so basically do you sell kites or not".split())
    ['do', 'you', 'sell', 'kites']
    >>> strip_chatter("whats the cheapest kite youve got".split())
    ['whats', 'the', 'cheapest', 'kite']
    """
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for phrase in _PHRASES:
            k = len(phrase)
            if tuple(tokens[i : i + k]) == phrase:
                i += k
                break
        else:
            tok = tokens[i]
            if tok in _ADDRESS and out and out[-1] in ("you", "ya"):
                pass  # "do you guys sell": "you" is who is asked, "guys" adds nothing
            elif tok not in _MARKERS:
                out.append(tok)
            i += 1
    if not out or all(t in _ANSWERS for t in tokens):
        return list(tokens)
    return out
