"""SQLite: an FTS5 table for each tier of cases_casesearch, and the triggers that keep them in step.

One external-content table a tier (``cases_casesearch_fts_title``, ``_headings``,
``_intro``, ``_body``), not one table of four columns. FTS5 keeps one
position list per term and document across all of a table's columns, so a
word looked up in the title alone decoded its body positions too, and a
phrase (a word of three or more characters is the phrase of its bigrams)
was matched over the whole case once for "anywhere" and again for each of
the title, headings and intro. Apart, each tier's lists hold that tier
only, and "anywhere" is the union of the four (cases.search.matching). At
10,000 cases the four lists of 企业注销 (three forms) came in 6.3 ms instead
of 17.8, 一照通行 (four forms) in 5.5 instead of 12.7 (bench/README.md).

Each table also indexes its tokens' first character (``prefix='5'``: "x" and
four digits, cases.search.tokens), so a one-character word is one posting
list, not a merge of every bigram it starts: 证 in the bodies at 10,000
cases took 8.1 ms and takes 1.8; the body's table grows from 74 to 121 MB.

The search migration 0008 creates them (replacing cases 0002's single
table). A later migration that makes Django rebuild cases_casesearch on
SQLite (adding a column does) drops the triggers with the old table and must
recreate them (``TRIGGERS``) and then rebuild each table
(``rebuild_statement``); ``manage.py rebuild_search_index`` does both
(cases.search.schema).
"""

from .tokens import CHARACTER_PREFIX

TIERS = ("title", "headings", "intro", "body")
CONTENT_TABLE = "cases_casesearch"
#: The single four-column table the tier tables replaced (cases 0002 to search 0007).
OLD_TABLE = "cases_casesearch_fts"


def fts_table(tier: str) -> str:
    return f"{CONTENT_TABLE}_fts_{tier}"


def _create_table(tier: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE {fts_table(tier)} USING fts5(\n"
        f"        {tier}, content='{CONTENT_TABLE}', content_rowid='case_id', tokenize='unicode61',"
        f" prefix='{CHARACTER_PREFIX}'\n"
        "    )"
    )


def _insert(row: str) -> str:
    return "".join(
        f"\n        INSERT INTO {fts_table(tier)}(rowid, {tier}) VALUES ({row}.case_id, {row}.{tier});"
        for tier in TIERS
    )


def _delete(row: str) -> str:
    return "".join(
        f"\n        INSERT INTO {fts_table(tier)}({fts_table(tier)}, rowid, {tier})"
        f" VALUES ('delete', {row}.case_id, {row}.{tier});"
        for tier in TIERS
    )


#: name -> CREATE statement, in the order they are created.
TABLES = {fts_table(tier): _create_table(tier) for tier in TIERS}


def _trigger(name: str, event: str, body: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {event} ON {CONTENT_TABLE} BEGIN{body}\n    END"


TRIGGERS = {
    "cases_casesearch_ai": _trigger("cases_casesearch_ai", "INSERT", _insert("new")),
    "cases_casesearch_ad": _trigger("cases_casesearch_ad", "DELETE", _delete("old")),
    "cases_casesearch_au": _trigger("cases_casesearch_au", "UPDATE", _delete("old") + _insert("new")),
}


def rebuild_statement(table: str) -> str:
    """Re-read every row of the content table into ``table``'s index."""
    return f"INSERT INTO {table}({table}) VALUES ('rebuild')"
