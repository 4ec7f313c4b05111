"""Word lists the cleaner and the search share: English stop words and web-page furniture."""
from __future__ import annotations

import re

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
according did does many much may might must shall whose upon via within without yet s t don
""".split())

_SOCIAL = (r"(?:facebook|twitter|x|linkedin|reddit|whatsapp|telegram|e-?mail|print|copy link|flipboard|"
           r"pinterest|threads|bluesky|mastodon|weibo|wechat|messenger|sms|pocket|tumblr|comments?)")
# Whole lines that are page furniture on news and blog sites, whatever the site: share bars, login and
# comment forms, related/trending lists, tag and category lines, visit counters, copyright, print trailers.
_FURNITURE = [
    r"(?:share|tweet|pin|email|print|whatsapp|facebook|twitter|linkedin|reddit|telegram|copy link)+",
    # share bars: "Share this article: Facebook Twitter", "Share on LinkedIn", "Follow us on X", "Share"
    rf"(?:(?:share|tweet|follow(?: us)?)(?:\s+(?:this|the))?(?:\s+(?:article|story|post|page|link))?"
    rf"(?:\s+(?:on|via|with))?\s*[:|]?\s*)?(?:{_SOCIAL}(?:[\s,|/·•]+{_SOCIAL})*)?",
    r"(?:tags?|categories|category|filed under|topics?)\s*:.*",
    r"(?:related|similar|more|recommended|popular|trending|latest)\s*(?:posts?|articles?|stories|news|"
    r"reads?|content|videos?)?(?:\s+from\s+.*)?",
    r"(?:trending|latest|comments?|popular|most read|most popular|read more|see also|you may also like|"
    r"discussion about this post|leave a (?:reply|comment)|post a comment|newsletter|"
    r"skip to (?:main )?content|back to top(?: button)?|close(?: search window)?|no results?|"
    r"view all results?|load more|show more|welcome back!?|forgotten password\??|lost your password\??|"
    r"retrieve your password|sign in|log ?in|log ?out|register|subscribe|menu|search|home|next|previous)",
    r".*(?:login to your account|your email address will not be published|required fields are marked|"
    r"enter your (?:username|email)|all rights reserved|cookie policy|privacy policy|terms of (?:use|"
    r"service)|"
    r"sign up for (?:our|the) newsletter|subscribe to (?:our|the) newsletter|need woocommerce|plugin install|"
    r"javascript is disabled|enable javascript).*",
    r"(?:visited|viewed|read)\s+\d+\s+times.*",
    r".*last (?:modified|updated)\s*:.*",
    r"(?:©|\(c\)|copyright)\s*.*",
    r"newspapers (?:in|from) .*",
    r"\d+:\d+(?:\s*/\s*\d+:\d+)?",
    r"[×✕✖x]",
    r"[\w\-]+ icon(?:\s+(?:it|this)\b.*)?",  # an icon's label read as text ("Close icon", "Menu icon It …")
    r"(?:reading time\s*:?\s*)?\d+\s*min(?:ute)?s?(?:\s+read)?|reading time\s*:?.*",  # read-time badges
    r"why you can trust .{1,40}|our standards\s*:.*",  # trust badges
    # page tools and consent banners
    r"listen to (?:this|the) (?:article|story).*|save(?: (?:article|story|for later))?|"
    r"gift (?:this )?article|topics|editor'?s picks?|sponsored links|loading\W*|video ad feedback|click to "
    r"expand|"
    r"enlarge (?:image|photo)|join the conversation|accept(?: all)? cookies|manage (?:preferences|cookies)|"
    r"terms (?:&|and) conditions|download (?:the|our) app|\d+\s+comments?|recommended for you|subscribe now|"
    r"newsletter sign[- ]?up|open in (?:the )?app|get the app|sign up|write",
    rf"follow (?:[\w'’\-]+ ){{1,3}}on {_SOCIAL}",  # "Follow Jane Roe on X"
    r"(?:updated\s+)?\d+\s+(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?)\s+ago",  # "5 hours ago"
    r"(?:image|photo|picture|slide)?\s*\d+\s*(?:/|of)\s*\d+",  # gallery counters: "Image 1 of 4", "2 / 9"
    # notes about the story, not the story: republication notes, how to reach the author
    r"(?:this|the) (?:article|story|post|piece) (?:was|has been|is|first|originally)\b.{0,60}"
    r"\b(?:published|appeared|republished)\b.*|a version of this (?:article|story)\b.*",
    r"(?:write to|contact|e-?mail) (?:the (?:author|reporter|writer)|[A-Z][\w'’\-]+(?: [A-Z][\w'’\-]+){0,2}) "
    r"at\b.*|(?:have|got) a (?:news )?tip\b.*",
    r"posted in (?!.*\bby\b).{1,40}",  # a blog's category line ("Posted in News"), not "Posted in May by …"
    r"\(?(?:reporting|writing|editing|additional reporting) by [^.]{1,120}\)?",  # wire-service credit lines
]
_FURNITURE_RE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE) + r")\s*$", re.I)
# Lines a page drops between paragraphs of a story: ad slots and "continues below" notes. They are skipped,
# never allowed to end a story the way a related-articles list does.
_INTERSTITIAL_RE = re.compile(r"^\s*(?:" + "|".join([
    r"(?:advertisement|advertising|ad|ads|sponsored(?: content)?|promoted(?: content)?|paid (?:post|content))"
    r"(?:\s*[-–—|:]\s*scroll to continue(?: with content)?)?",
    r"(?:the )?(?:story|article|text) continues(?: below| after)?"
    r"(?: (?:the|this) )?(?: ?advert(?:isement)?| ?ad)?",
    r"(?:scroll|continue reading)(?: down)?(?: to continue| below)?(?: with content| the main story)?",
    # a labelled link to another story: "Read more: …", "RELATED: …", "Watch: …"
    r"(?:read more|read also|also read|see also|related|recommended|more on this|further reading|watch|"
    r"listen|explore more|don'?t miss|must read|editor'?s pick)\s*[:|–—]\s*\S.{0,150}",
]) + r")\s*[:.]?\s*$", re.I)
# Calls to action under a story: "Sign up for our daily newsletter …", "Download the Example app …"
_PROMO_RE = re.compile(r"^(?:thanks? (?:you )?for reading\b.{0,80}?|)"
                       r"(?:sign up|subscribe|get|download|follow|join|click|tap|listen|register|don'?t "
                       r"miss|want|"
                       r"like this|enjoy(?:ed)?|support|become a (?:member|subscriber)|never miss)\b.{0,200}?"
                       r"\b(?:newsletters?|inbox|subscri(?:be|ption|bers?)|podcasts?|news alerts?|"
                       r"(?:our|the)(?: [\w'’\-]+){0,3} app|(?:whatsapp|telegram) channel|google news|"
                       r"push notifications|new posts|support (?:my|our|independent) (?:work|journalism))\b",
                       re.I)
# An author's bio closing a story: "Jane Roe is a senior reporter covering technology for Example News."
_BIO_RE = re.compile(r"^(?:[A-Z][\w'’.\-]+ ){1,3}(?:is|was|has been) (?:a|an|the|our) (?:[\w\-,]+ ){0,5}"
                     r"(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|producer|"
                     r"intern)s?\b")
# Photo credits on a line of their own: "Name | Agency | Agency" (each part a short capitalised name), or
# "Photo: Agency", "Image credit: Name".
_CREDIT_PART = r"[A-Z][\w.&'’\-]*(?:\s+[A-Za-z][\w.&'’\-]*){0,4}"
_PIPE_CREDIT_RE = re.compile(rf"^{_CREDIT_PART}(?:\s*\|\s*{_CREDIT_PART})+$")
_LABEL = (r"(?i:photo(?:graph)?s?|images?|pictures?|illustrations?|video|credits?|source)"
          r"(?i:\s+(?:by|credit))?\s*:")
_BY_CREDIT = r"\(?(?i:photo|image|picture|video)s? by [^.!?()]{1,60}\)?"
_LABEL_CREDIT_RE = re.compile(rf"^(?:\(?{_LABEL}\s*[^.!?]{{1,60}}\)?|{_BY_CREDIT})$")
_SOURCE_RE = re.compile(r"^\(?(?:sources?|data|credits?)\s*:", re.I)  # under a chart or table, not a photo
_CAPTION_HEAD_RE = re.compile(r"^\(?(?i:file photo|photo|pictured|image|illustration)\s*:\s*\S")
# A caption ending in its credit: "… on Tuesday. Photo: Agency" or "… in Beijing. Jane Doe/Agency".
_CAPTION_TAIL_RE = re.compile(rf"[.!?”\"]\s+(?:\(?{_LABEL}\s*[^.!?]{{1,60}}\)?|{_BY_CREDIT}|"
                              r"(?:[A-Z][\w'’\-]+\s+){1,3}[A-Z][\w'’\-]+\s*/\s*[A-Z][\w'’\- ]{1,40}|"
                              r"[A-Z]{2,}(?:/[A-Z][\w'’\- ]{1,30}){1,3})$")
_CREDIT_RE = re.compile(r"^[\W\d]*[A-Z][A-Z .'\-]+\s*/\s*[A-Z][A-Z .'\-]+[\W]*$")  # PHOTO NAME / AGENCY


# Section names of news-site menus: a line made only of these is navigation, never the site's name.
SECTION_WORDS = frozenset("""
news latest world business markets market economy finance money tech technology science politics opinion
opinions sport sports culture lifestyle health video videos podcasts podcast live analysis features feature
international national local asia europe americas africa middle east global region regions
ai robotics innovation startups companies industry industries energy climate media entertainment travel
""".split())


def section_line(text: str) -> bool:
    """A menu line naming site sections ("News", "World", "Tech & Science")."""
    words = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in ("and", "the")]
    return bool(words) and len(words) <= 4 and all(w in SECTION_WORDS for w in words)


def interstitial_line(text: str) -> bool:
    """An ad slot or "story continues below" note printed between two paragraphs of a story."""
    return bool(_INTERSTITIAL_RE.match(text))


def credit_line(text: str) -> bool:
    """A photo credit on a line of its own ("Name | Agency", "Photo: Agency")."""
    t = text.strip()
    return len(t.split()) <= 14 and bool(_PIPE_CREDIT_RE.match(t) or _LABEL_CREDIT_RE.match(t))


def photo_credit(text: str) -> bool:
    """A credit line for a photo (so the line above it may be the photo's caption), not a chart's source."""
    return credit_line(text) and not _SOURCE_RE.match(text.strip())


def caption_credit(text: str) -> bool:
    """A photo caption that ends with its credit ("… on Tuesday. Photo: Agency") or starts with a label."""
    t = text.strip()
    return bool(_CAPTION_TAIL_RE.search(t) or (_CAPTION_HEAD_RE.match(t) and len(t.split()) <= 60))


def author_bio(text: str) -> bool:
    """A note on the author that closes a story ("Jane Roe is a reporter covering chips.")."""
    t = text.strip()
    return len(t.split()) <= 50 and bool(_BIO_RE.match(t))


def boilerplate_line(text: str) -> bool:
    """Whether a whole line is page furniture rather than article text."""
    t = text.strip()
    if len(t.split()) <= 40 and _PROMO_RE.match(t):
        return True
    return bool(_FURNITURE_RE.match(t) or _CREDIT_RE.match(t) or "??" in t)
