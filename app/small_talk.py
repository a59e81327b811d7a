"""Replies to messages that are not questions: greetings, thanks, goodbyes, "what can you do?".

A chat window gets these as often as questions. Searching the articles for "thanks!" quotes
whatever sentence is nearest ("Thanks for posting [1]."); a message made only of such words
gets a short reply that cites nothing instead.
"""

import re

_GREETING = r"(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings)( there)?"
_THANKS = r"(thanks|thank you|thx|ty|cheers|much appreciated|great|perfect|awesome|nice|cool|ok(ay)?|got it|i see)"
_BYE = r"(bye|goodbye|see you|see ya|that's all|that is all)"
_HELP = r"(help|what can you do|what do you do|how does this work|how do i use this|who are you|what are you)"
_FILLER = r"(\s+(so much|a lot|very much|again|for (the|your) help|for that|citeqa|bot))*"

_REPLIES = (
    (re.compile(rf"^({_THANKS}|{_THANKS}{_FILLER})$"), "Glad to help. Ask me anything else about the articles."),
    (re.compile(rf"^{_GREETING}{_FILLER}$"), "Hello! Ask me a question about the articles and I'll answer with the sentences that say so, each marked with the article it comes from."),
    (re.compile(rf"^{_BYE}{_FILLER}$"), "Goodbye."),
    (re.compile(rf"^{_HELP}$"), "I answer questions about the stored articles: each claim carries a numbered marker for the article it comes from, with the exact sentence that supports it. When the articles don't hold the answer, I say so."),
)


def reply(message: str) -> str | None:
    """The reply to a message that is only a greeting, thanks, goodbye or a request for help; None for anything else.

    Example: "Thanks a lot!" -> "Glad to help. …"; "Thanks to whom was the treaty signed?" -> None.
    """
    words = re.sub(r"[^\w\s']+", " ", message.lower()).split()
    text = " ".join(words).replace("thank u", "thank you")
    for pattern, answer in _REPLIES:
        if pattern.match(text):
            return answer
    return None
