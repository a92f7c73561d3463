"""The removal vocabulary: every block the cleaner drops carries one of these reasons.

A reader who wants to know why a line vanished greps the reason here and in the module that
applies it. Patterns that implement a reason sit next to it in the module that uses them.
"""
from __future__ import annotations

REASONS: dict[str, str] = {
    "title": "the article headline (kept in metadata.title, not in the body)",
    "subtitle": "the standfirst / dek under the headline (kept in metadata.subtitle)",
    "repeated_title": "a second copy of the headline",
    "byline": "author names, 'By ...', publication dates and reading times around the headline",
    "author_bio": "a paragraph about the author ('X is a senior writer at ...')",
    "dateline": "a standalone date or time stamp",
    "source_credit": "a credit line such as '[Via Bloomberg]' or 'Sources: ...' (kept in metadata.sources)",
    "teaser": "teasers of other stories: 'Read more', 'You may also like', 'Other stories', their items",
    "related": "lists of related links or stories",
    "navigation": "site chrome: menus, breadcrumbs, 'Skip to main content', pagination",
    "ad": "advertising slots and sponsored content markers",
    "promo": "promotion of the site itself: newsletters, subscriptions, apps, editorial-policy blurbs",
    "share": "share / follow / print / email prompts",
    "comments": "comment widgets and comment threads",
    "caption": "image captions, credits and image file slugs",
    "tags": "topic tags and category lists",
    "footer": "footers: copyright, legal, contact and site links",
    "boilerplate": "lines repeated across many files of the run (site template)",
    "empty": "lines with no words",
}


def check_reason(reason: str) -> str:
    """Return `reason` if it is in the vocabulary; raise ValueError otherwise."""
    if reason not in REASONS:
        raise ValueError(f"unknown removal reason {reason!r}; add it to cleaners.rules.REASONS")
    return reason
