"""Kinds of page noise real captures carry, each cut by a general rule:
table tests with negative cases, on short news-style pages written for these tests."""
from __future__ import annotations

import pytest

from corpus.capture import split_capture
from corpus.clean import clean
from corpus.lexicon import boilerplate_line, caption_credit, credit_line, interstitial_line
from corpus.meta import date_from_url, finished

STORY = [
    "Chip designers in Hefei said on Monday that their newest accelerator trails the best foreign parts "
    "by a year.",
    "The company expects to ship the part to cloud providers in the second half, according to two "
    "executives.",
    "Analysts at a Shanghai brokerage said the design closes part of the distance but that supply is still "
    "tight.",
    "Domestic foundries cannot yet make the most advanced nodes at volume, and packaging capacity is scarce.",
    "The firm plans to hire four hundred engineers this year and to open a second laboratory in the autumn.",
]


def page(*lines: str) -> str:
    """A scrape: one line each, blank lines between."""
    return "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("text, date, url, title, rest", [
    (" date 2024-02-03 Chip makers said prices rose.", "2024-02-03", None, None,
     "Chip makers said prices rose."),
    ("Date: 2024-02-03T08:15:00Z\nURL: https://example.org/a?b=1\n\nHeadline", "2024-02-03",
     "https://example.org/a?b=1", None, "Headline"),
    ("url https://example.org/x published 2023-11-30 The lab said", "2023-11-30",
     "https://example.org/x", None, "The lab said"),
    ("Title: Robot makers close in\nsaved_at: 2025-01-09\nBody text", "2025-01-09", None,
     "Robot makers close in", "Body text"),
    # not capture fields: the words are prose, or the value has the wrong shape
    ("Date palms grow well in 2024-02 greenhouses.", None, None, None,
     "Date palms grow well in 2024-02 greenhouses."),
    ("Dated 2024-02-03 records show a rise.", None, None, None, "Dated 2024-02-03 records show a rise."),
    ("Source: a person familiar with the matter.", None, None, None,
     "Source: a person familiar with the matter."),
    ("Published research shows a gap.", None, None, None, "Published research shows a gap."),
    ("title of the report is long", None, None, None, "title of the report is long"),
])
def test_capture_prefix_is_split_off(text, date, url, title, rest):
    cap, left = split_capture(text)
    assert (cap.date, cap.url, cap.title) == (date, url, title)
    assert left.strip() == rest


def test_a_glued_capture_date_never_enters_the_first_sentence_and_dates_the_article():
    [a] = clean(" date 2023-05-17 " + " ".join(STORY))
    assert a.body.startswith("Chip designers in Hefei") and a.date == "2023-05-17"


def test_the_page_date_wins_over_the_capture_date_and_the_capture_url_is_kept():
    text = "URL: https://example.org/tech/2024/03/01/chips\ndate 2024-03-09\n\n" + page(
        "Hefei Chip Designers Narrow The Gap", "March 2, 2024", *STORY)
    [a] = clean(text)
    assert (a.date, a.url, a.title) == ("2024-03-02", "https://example.org/tech/2024/03/01/chips",
                                        "Hefei Chip Designers Narrow The Gap")


def test_a_page_of_two_stories_gives_neither_the_capture_url():
    second = [f"Robot makers in Ningbo {t}" for t in ("said sales rose by a third in the first quarter of "
                                                      "the year.",
              "expect exports to grow again this year as buyers abroad look for cheaper arms and grippers.",
              "also said wages for engineers had risen faster than prices, which squeezed their margins.",
              "plan to open training centres with two local universities to hire more graduates soon.")]
    text = "URL: https://example.org/2024/03/01/briefing\n\n" + page(
        "**Hefei chip designers narrow the gap with foreign rivals**", *STORY,
        "**Robot makers in Ningbo report strong sales in the first quarter**", *second)
    arts = clean(text)
    assert len(arts) == 2 and all(a.url is None and a.date == "2024-03-01" for a in arts)


@pytest.mark.parametrize("paras, kept", [
    (["One whole sentence here.", "Two. Then the capture stopped in the midd"],
     ["One whole sentence here.", "Two."]),
    (["One whole sentence here.", "and the rest was lost without any ending at all"],
     ["One whole sentence here."]),
    (["First part.", "A quote ends the story: “We will see.”"], ["First part.",
                                                                 "A quote ends the story: “We will see.”"]),
    (["First part.", "(Reporting by a wire service.)"], ["First part.", "(Reporting by a wire service.)"]),
    (["Is the gap closing?"], ["Is the gap closing?"]),
    (["A list follows:", "Last line cut of"], []),
])
def test_a_last_sentence_cut_off_by_the_capture_is_dropped(paras, kept):
    assert finished(paras) == kept


def test_labelled_links_inside_a_story_and_promo_and_bio_tails_are_not_body():
    text = page("Hefei Chip Designers Narrow The Gap", *STORY[:2],
                "Read more: Why packaging is the new bottleneck", *STORY[2:],
                "Jane Roe is a senior technology reporter for Example News based in Shanghai.",
                "Sign up for our free weekly newsletter to get the chip stories that matter in your inbox.",
                "Share this article: Facebook Twitter Email")
    [a] = clean(text)
    assert a.paragraphs == STORY


def test_a_closing_sentence_about_a_fellow_or_a_former_reporter_stays():
    last = "Roe is a fellow at a Washington think tank who studies export controls and the chip trade."
    [a] = clean(page("Hefei Chip Designers Narrow The Gap", *STORY, last))
    assert a.paragraphs[-1] == last


def test_a_sentence_without_a_full_stop_inside_the_body_survives():
    lines = STORY[:2] + ["A spokesman listed the three product lines that the lab would drop before the "
                         "summer break ended"] + \
        STORY[2:] + ["Asked about prices, the chief financial officer said the board was still weighing a "
                     "cut of"]
    [a] = clean(page("Hefei Chip Designers Narrow The Gap", *lines))
    assert "before the summer break" in a.body
    assert a.body.endswith(STORY[-1])


@pytest.mark.parametrize("line, expected", [
    ("Advertisement", True), ("ADVERTISEMENT", True), ("Sponsored content", True),
    ("Story continues below advertisement", True), ("Scroll to continue with content", True), ("AD", True),
    ("Advertisement spending rose five per cent in March.", False),
    ("Sponsored by the city, the lab hired two hundred engineers.", False),
    ("The story continues to develop, officials said.", False),
    ("Read more: Why chip packaging is the new bottleneck", True),
    ("RELATED: Inside a Shenzhen robot fair", True), ("Continue reading the main story", True),
    ("Advertisement - Scroll to continue", True), ("Related companies also saw their shares rise.", False),
    ("Watch makers have started to add AI chips.", False),
])
def test_ad_slots_are_interstitial(line, expected):
    assert interstitial_line(line) is expected


@pytest.mark.parametrize("line, expected", [
    ("(Photo by Jane Roe/Example Images)", True),
    ("Jane Roe | Example Photo Agency", True), ("Staff Photographer | Wire Pictures | Example Images", True),
    ("Photo: Example Agency", True), ("(Image credit: Jane Roe)", True),
    ("Revenue rose, the company said | and costs fell", False),
    ("The photo: a robot arm at work in a factory in Wuxi, taken last week by the company.", False),
    ("Chinese labs are catching up quickly.", False),
])
def test_photo_credit_lines(line, expected):
    assert credit_line(line) is expected


@pytest.mark.parametrize("line, expected", [
    ("Workers assemble a robot arm in Suzhou on Monday. Photo: Example Agency", True),
    ("A visitor tries a chatbot at a fair in Hangzhou. Jane Roe/Example Images", True),
    ("The firm runs its own TCP/IP stack on the new chip.", False),
    ("The firm said it would expand. Investors cheered the news.", False),
    ("Prices rose. Photos of the plant were not released.", False),
    ("FILE PHOTO: A chip plant in Wuxi, China, May 1, 2024. AGENCY/Jane Roe/File Photo", True),
    ("Robots on a line in Ningbo on March 3. (Photo by Jane Roe/Example Images)", True),
    ("Image recognition: the lab said its model beat rivals.", False),
])
def test_captions_ending_with_their_credit(line, expected):
    assert caption_credit(line) is expected


@pytest.mark.parametrize("line, expected", [
    ("Arrow icon This opens the list of sections, or goes back to the front page.", True),
    ("Close icon", True), ("2 min read", True), ("Reading Time: 3 minutes", True),
    ("Why you can trust Example News", True), ("Posted in Uncategorized", True),
    ("(Reporting by Jane Roe; Editing by John Doe)", True),
    ("Share this article: Facebook Twitter LinkedIn Email", True), ("Share on WhatsApp", True),
    ("Facebook | X | Copy link", True), ("Follow us on Telegram", True),
    ("Follow Jane Roe on LinkedIn", True),
    ("Sign up for the Example Daily newsletter to get the top stories in your inbox every morning.", True),
    ("Download the Example News app for breaking alerts", True), ("Listen to this article · 4 min", True),
    ("Updated 3 hours ago", True), ("Image 2 of 7", True),
    ("This story was originally published by Example News.", True), ("Write to Jane Roe at jane@example.org",
                                                                     True),
                                                                     ("Have a tip? Send it to the newsroom.",
                                                                      True),
                                                                      ("Fashion icon opens a robotics lab in "
                                                                       "Shenzhen", False),
    ("Share prices of chip makers rose 4% on Tuesday.", False),
    ("Twitter and Facebook stayed blocked for years.", False),
    ("Follow-on funding came from two state funds, the filing showed.", False),
    ("Get ready for the next wave of AI chips, analysts warned on Monday.", False),
    ("Subscribers to the service rose to 20 million, the company said.", False),
    ("The story was first reported by local media.", False),
    ("Contact lenses with chips are the next frontier.", False),
    ("Topics on the agenda include export controls.", False), ("The ratio was 1 of 4, the survey found.",
                                                               False), ("Posted in March by Jane Roe", False),
                                                               ("The chip took 2 min to read the model "
                                                                "weights, engineers said.", False),
])
def test_furniture_lines(line, expected):
    assert boilerplate_line(line) is expected


def test_captions_credits_and_ads_inside_a_story_neither_split_nor_stay_in_it():
    text = page("Hefei Chip Designers Narrow The Gap", "By Jane Roe", *STORY[:2],
                "Engineers test a board at a laboratory in Hefei on Monday, March 4, 2024.",
                "Jane Roe | Example Images", "Advertisement", *STORY[2:4],
                "Story continues below advertisement", STORY[4])
    [a] = clean(text)
    assert a.paragraphs == STORY and a.author == "Jane Roe"


def test_an_ad_slot_between_two_sentences_of_a_flattened_capture_goes():
    [a] = clean(" ".join(STORY[:2]) + " Advertisement " + " ".join(STORY[2:]) + " Advertisement spending "
                                                                                "rose.")
    assert a.body == " ".join(STORY) + " Advertisement spending rose."


def test_a_chart_source_goes_but_the_paragraph_above_it_stays():
    text = page("Hefei Chip Designers Narrow The Gap", *STORY[:3],
                "Source: National statistics office", *STORY[3:])
    [a] = clean(text)
    assert a.paragraphs == STORY


def test_a_standfirst_the_story_repeats_and_a_headline_glued_to_a_caption_are_not_the_body():
    head = "Hefei chip designers narrow the gap with foreign rivals"
    text = page(head, head, STORY[0], "Business Desk", "Updated Mar 4, 2024 10:15 AM",
                head + "Engineers test a board in a laboratory in Hefei, where the company employs 900 "
                       "people.",
                "The announcement came at an industry meeting attended by hundreds of investors and "
                "officials.",
                STORY[0][:-1] + ", the company said.", *STORY[1:])
    [a] = clean(text)
    assert a.title == head and a.author == "Business Desk" and a.date == "2024-03-04"
    assert a.paragraphs[0].startswith("The announcement came") and a.paragraphs[-1] == STORY[-1]


def test_a_lede_that_repeats_the_headline_words_stays():
    head = "Hefei chip designers said on Monday that their newest accelerator trails"
    [a] = clean(page(head, *STORY))
    assert a.paragraphs[0] == STORY[0]


def test_a_related_story_link_goes_and_a_subheading_stays():
    text = page("Hefei Chip Designers Narrow The Gap", *STORY[:2],
                "Streaming service raises monthly fees again", *STORY[2:4], "Supply of packaging", STORY[4])
    [a] = clean(text)
    assert "Streaming service" not in a.body and "Supply of packaging" in a.paragraphs


def test_key_point_bullets_full_of_names_open_the_body_and_an_icon_label_is_not_the_title():
    text = page("Arrow icon This opens the list of sections, or goes back to the front page of the whole "
                "site. Front page", "Hefei chip designers narrow the gap with foreign rivals",
                "  • Agency Chief Jane Roe told Example Daily the Hefei team is ahead of rivals.",
                "  • Roe cited packaging limits.", *STORY)
    [a] = clean(text)
    assert a.title == "Hefei chip designers narrow the gap with foreign rivals"
    assert a.paragraphs[0].startswith("Agency Chief Jane Roe")


@pytest.mark.parametrize("byline, author, publisher", [
    ("Published by Example Wire", None, "Example Wire"),
    ("Posted on March 3, 2024 by Jane Roe", "Jane Roe", None),
    ("By JANE ROE and LI MING", "Jane Roe and Li Ming", None),
    ("Technology Desk", "Technology Desk", None),
    ("Published March 3, 2024 by Jane Roe", "Jane Roe", None),
    ("March 3, 2024 · Published by Harbour Wire", None, "Harbour Wire"),
])
def test_bylines_name_authors_and_publish_lines_name_publishers(byline, author, publisher):
    [a] = clean(page("- ", "Hefei Chip Designers Narrow The Gap", byline, *STORY))
    assert (a.author, a.publisher) == (author, publisher)


@pytest.mark.parametrize("head, author", [
    (["Hefei Chip Designers Narrow The Gap", "Jane Roe", "March 3, 2024"], "Jane Roe"),
    (["Hefei Chip Designers Narrow The Gap", "Mary K. Lee", "Follow", "4 min read"], "Mary K. Lee"),
    # a name with no date or follow button after it
    (["Hefei Chip Designers Narrow The Gap", "Jane Roe"], None),
    (["Hefei Chip Designers Narrow The Gap", "Tech News", "March 3, 2024"], None),  # a section, not a person
    (["**Chip Wars**", "March 3, 2024"], None),  # a marked-up headline
    (["Hefei Chip Designers Narrow The Gap", "The Chip War", "March 3, 2024"], None),
])
def test_a_bare_name_over_a_date_is_a_byline(head, author):
    [a] = clean(page(*head, *STORY))
    assert a.author == author


def test_a_wire_credit_under_the_story_names_the_reporters_and_a_domain_line_the_site():
    [a] = clean(page("Hefei Chip Designers Narrow The Gap", "- example.tv", "- 3 min read", *STORY,
                     "(Reporting by Jane Roe and Li Ming; Editing by John Doe)", "Posted in Uncategorized"))
    assert (a.author, a.publisher) == ("Jane Roe and Li Ming", "example.tv")
    assert a.body.endswith(STORY[-1])


@pytest.mark.parametrize("lines, title", [
    (["Hefei chip designers narrow the gap | Example News", "Hefei chip designers narrow the gap"],
     "Hefei chip designers narrow the gap"),
    (["Example News", "Hefei chip designers narrow the gap - Example News",
      "Hefei chip designers narrow the gap"],
     "Hefei chip designers narrow the gap"),
    # a dash or a colon inside a headline printed once is part of it
    (["Hefei chip designers - and their rivals - narrow the gap"],
     "Hefei chip designers - and their rivals - narrow the gap"),
    (["Hefei chip designers narrow the gap: analysts"], "Hefei chip designers narrow the gap: analysts"),
])
def test_a_site_name_after_a_headline_is_not_part_of_the_title(lines, title):
    [a] = clean(page(*lines, *STORY))
    assert a.title == title


@pytest.mark.parametrize("url, day", [
    ("https://example.org/2025/06/10/chips-gap", "2025-06-10"),
    ("https://example.org/news/chips-gap-2024-03-05.html", "2024-03-05"),
    ("https://example.org/tech/20231130/chips", "2023-11-30"),
    ("https://example.org/article/3214999/chips-gap", None),  # an article number, not a date
    ("https://example.org/2025/13/45/chips", None),
    ("https://example.org/chips?date=2024-01-01", None),  # the query is not the page's address
    ("https://2024-01-01.example.org/chips", None),
    ("https://example.org/2099/01/01/chips", None),  # not yet
    (None, None),
])
def test_dates_from_the_address_path(url, day):
    assert date_from_url(url) == day
