"""A fixed, deterministic corpus of hostile chat input (over 1,000 cases) and hostile articles to index.

Every case is built here from small lists, so a failure names its case and reruns the same way.
"""
from __future__ import annotations

FTS = ['"', '""', '"unbalanced', 'chips"', '" OR "', "AND", "OR", "NOT", "chips AND", "OR chips", "NOT NOT",
       "NEAR(chips gap, 3)", "NEAR(", "chip*", "*", "^gap", "text:chips", "context:x", "{text context}: gap",
       "(((", ")))", "(chips OR", "-chips", "+gap", "a AND (b OR", '"a" "b', "NEAR/3", "gap:", ":", "'",
       "chips\"gap", '"""""', "a OR OR b", "(", ")", "^", "AND AND AND", "\"\\\"", "rowid:1", "MATCH"]
SQL = ["'; DROP TABLE articles; --", "1 OR 1=1", '" OR ""="', "%", "_", "%_%", "\\", "\\'",
       "UNION SELECT * FROM sqlite_master", "/* comment */", "0x00", "?", "?1", ":name", "@p",
       "$x", "'||(SELECT 1)||'", "x'; ATTACH DATABASE '/tmp/x' AS x; --", "PRAGMA writable_schema=1",
       "'); DELETE FROM sentences; --", "%' OR '1'='1", "`", "[articles]", "NULL", "\\x00"]
CONTROL = ["\x00", "\x00" * 1000, "".join(chr(i) for i in range(32)),
           "\x1b[31mred\x1b[0m", "\r\n\r\n", "\t\t", "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "\udfff",
           "a\x00b", "\x0b\x0c", "\x1b]0;title\x07", "\x08" * 50, "\ufffe", "\uffff", "\U0010ffff"]
INVISIBLE = ["\u202e", "\u202eevil\u202c", "\u202d", "\u200f", "\u200e", "\u200b", "\u200b" * 500, "\ufeff",
             "\u2060", "\u00ad", "e\u0301" * 300, "z" + "\u0336\u0334\u0335" * 200, "\u061c", "\u2066x\u2069",
             "\u3164", "\u115f", "\u180e", "@\u200beveryone", "\u034f"]
EMOJI = ["🔥", "🔥" * 200, "👨‍👩‍👧‍👦", "🇨🇳🇺🇸", "👍🏿", "🤖 vs 🧑", "\U0001f600" * 3000, "❤️", "🏳️‍🌈", "*️⃣"]
CJK = ["科大讯飞", "中美人工智能差距有多大？", "百度", "／ｇａｐ", "\u3000gap\u3000", "人工知能", "인공지능",
       "谁是李开复", "差距" * 5000, "ｗｈｏ ｉｓ ｉｆｌｙｔｅｋ", "𠜎𠜱𠝹𠱓"]
SLACK = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123|@team>", "<@U0123>", "<@U0123|boss>",
         "<#C0123|general>", "<https://evil.example|click>", "&lt;!channel&gt;", "&amp;lt;!here&amp;gt;",
         "*bold*", "_it_", "~strike~", "`code`", "```block```", "&gt; quote",
         ":skull:", "<mailto:a@b.c|mail>", "<!date^0^{date}|x>", "@channel", "@here", "@everyone",
         "<!channel|channel>", "<tel:1|x>"]
DISCORD = ["@everyone", "@here", "<@123456789012345678>", "<@!123456789012345678>", "<@&123456789012345678>",
           "<#123456789012345678>", "||spoiler||", "**bold**", "__under__", "# heading", "-# small",
           "[link](https://evil.example)", "<t:0:R>", "</gap:1>", "```py\nx\n```", "> quote", "\\", "\\*x\\*",
           "@everyone" * 100, "@ everyone", "＠everyone", "@EVERYONE", "@here@here", "<@&0>", "@@everyone"]
MARKDOWN = ["[click](javascript:alert(1))", "![img](http://x/y.png)", "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>", "[a](<https://x>)", "](", "[", "**", "~~",
            "<>", "<<>>", "&", "&amp;", "&#64;everyone", "%40everyone", "[@everyone](https://x)",
            "<https://x|@everyone>"]
COMMANDS = ["/", "//", "/ask", "/who", "/gap", "/sources", "/help", "/digest", "/who /who", "/gap /gap", "!",
            "/sources -1", "/sources 0", "/sources 99999999999999999999", "/sources 1e9", "/sources ٣",
            "/sources ²", "/sources 1000", "/help who", "/help /help", "/help nosuch", "/nosuch", "/ASK GAP",
            "/digest subscribe 25:99 Mars/Olympus", "/digest subscribe 07:30 ../../etc/passwd",
            "/digest subscribe 99999:99999", "/digest unsubscribe", "/digest preview",
            "/digest subscribe x y z", "who is", "who is ?", "what is the gap?", "who are you",
            "/gap " + "chips " * 200, "help " * 50, "/who " + "a " * 300, "<@U0BOT> /gap",
            "<@123> /help", "<@U0BOT>", "   ", ""]
BIG = ["x" * 100_000, "word " * 20_000, '"' * 100_000, "AND " * 25_000, "\n" * 100_000, "chips " * 16_000,
       "<!channel> " * 9000, "@everyone " * 9000, "Zq" * 50_000, "a" * 100_000 + "?"]
FRAGMENTS = FTS + SQL + CONTROL + INVISIBLE + EMOJI + CJK + SLACK + DISCORD + MARKDOWN + BIG
PREFIXES = ["", "/ask ", "/who ", "/gap ", "/sources ", "/help ", "/digest subscribe ", "who is ", "!ask "]


def cases() -> list[str]:
    """Every nasty input: each fragment after each command prefix,
    then the command-shaped ones as they are."""
    out = [prefix + fragment for fragment in FRAGMENTS for prefix in PREFIXES]
    out += COMMANDS + [c + " " + f for c in COMMANDS[:12] for f in SLACK[:4] + DISCORD[:4]]
    return out


HOSTILE_TITLES = [
    "@everyone **Breaking**: <!channel> the chip gap is 2 years",
    "[click me](javascript:alert(1)) <@123456789012345678> and <@U0123|boss> on AI chips",
    "||spoiler|| `code` # Heading <!here> __under__ ~~strike~~ &amp; &lt;!everyone&gt;",
    "\u202eevil\u202c title with \u200b zero width and NUL-free controls \x1b[31m red",
    "科大讯飞 says the gap with @here is narrowing <#C0123|general> 🔥",
]


TOPICS = [
    ["Wafer fabs in Shenzhen ran night shifts.", "Lithography imports slowed sharply.", "Yields improved."],
    ["Startups in Hangzhou raised fresh rounds.", "Open weights spread quickly.",
     "Benchmarks were disputed."],
    ["Power grids strained under data centres.", "Cooling costs doubled in summer.", "Hydro helped Sichuan."],
    ["Graduates returned from abroad.", "Visa rules tightened twice.", "Salaries rose in Beijing labs."],
    ["Robot arms filled new factories.", "Sensors came from Japanese suppliers.", "Export data lagged."],
]


def hostile_article(i: int) -> str:
    """An HTML article whose title and text carry markup that must never ping or link on any platform."""
    title = HOSTILE_TITLES[i % len(HOSTILE_TITLES)]
    markup = " ".join(SLACK[:8] + DISCORD[:6] + MARKDOWN[:4])
    topic = TOPICS[i % len(TOPICS)]
    paras = [f"{topic[n % len(topic)]} Chinese chip makers said the gap with the United States in computing "
             f"power is about {n + 1} years, report {i}.{n} says. {markup}" for n in range(5)]
    body = "".join(f"<p>{_html_escape(p)}</p>" for p in paras)
    return (f"<html><head><title>{_html_escape(title)}</title></head><body><article>"
            f"<h1>{_html_escape(title)}</h1>{body}</article></body></html>")


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
