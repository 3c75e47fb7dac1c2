"""A quote counts as the guidance's own words after normalising quotes, punctuation, spacing and footnotes."""

import pytest

from analytics.guidance import guidance_text, normalise, quote_in_guidance


@pytest.mark.parametrize(
    "quote",
    [
        # the guidance has a curly apostrophe ("mentee’s"); a straight one must match it
        "genuinely invested in their mentee's goals",
        # and the curly one itself
        "genuinely invested in their mentee\u2019s goals",
        # the guidance has the footnote marker "success.1"
        "Effective networking and mentorship are critical determinants of academic success.",
        "retention, promotion, and personal development.",
        # spacing, line breaks and case do not count
        "a  good mentee has a positive\nand   enthusiastic\tattitude",
        "A GOOD MENTOR IS PATIENT",
        # punctuation does not count either way
        "A good mentor is patient interested in teaching and genuinely invested",
        "Successful mentees learn from the experience, and counsel, of others; ask questions",
        "social interpersonal development",
        "(career, research, and social/interpersonal development).",
        # a bullet point of the process list
        "Having ongoing bi-directional feedback",
    ],
)
def test_quote_from_the_guidance_matches(quote):
    assert quote_in_guidance(quote)


@pytest.mark.parametrize(
    "quote",
    [
        "A good mentee always brings coffee to meetings.",
        # real words of the guidance, but not in this order
        "a good mentor is interested in teaching and patient",
        # one word changed
        "A good mentor is impatient, interested in teaching",
        # a partial word at either end does not count as the word
        "ood mentee",
        "good ment",
        "entee has a positive",
    ],
)
def test_words_not_in_the_guidance_do_not_match(quote):
    assert not quote_in_guidance(quote)


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", "...", "\u2019 \u201c\u201d"])
def test_an_empty_quote_does_not_match(quote):
    assert not quote_in_guidance(quote)


def test_footnote_marker_in_the_quote_is_ignored_too():
    assert quote_in_guidance("critical determinants of academic success.1 Trainees that have strong")


def test_the_text_argument_is_used_instead_of_the_guidance():
    text = "Mentors listen.\u00b2 Mentees ask\u2019 questions."
    assert quote_in_guidance("mentors listen", text)
    assert not quote_in_guidance("mentors listen", "Mentees ask questions.")
    # the shipped guidance says this, but the given text does not
    assert not quote_in_guidance("A good mentor is patient", text)


def test_normalise_gives_lower_case_words_between_single_spaces():
    assert normalise("  Academic   Success.1 Trainees\u2019 GOALS! ") == " academic success trainees goals "


def test_normalise_treats_curly_and_straight_quotes_alike():
    assert normalise("\u201cmentee\u2019s\u201d") == normalise('"mentee\'s"')


def test_numbers_that_are_not_footnotes_are_kept():
    # "2006;296:1103-1115" in the references is data, not a footnote marker
    assert "1103 1115" in normalise("JAMA 2006;296:1103-1115")
    assert quote_in_guidance("JAMA 2006;296:1103-1115")
    assert not quote_in_guidance("JAMA 2007;296:1103-1115")


def test_the_guidance_text_is_the_ash_article():
    text = guidance_text()
    assert "Optimizing a Mentor-Mentee Relationship" in text
    assert "\u2019" in text  # the curly apostrophe the matching must cope with
