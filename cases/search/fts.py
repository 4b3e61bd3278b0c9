"""The SQLite FTS5 table that mirrors cases_casesearch, and the triggers that keep it in step.

The catalog's migration cases 0002 creates them. A later migration that makes Django rebuild
cases_casesearch on SQLite (adding a column does) drops the triggers with the
old table and must recreate them (SQLITE_FORWARD[1:]) and then rebuild the
index: INSERT INTO cases_casesearch_fts(cases_casesearch_fts) VALUES ('rebuild').
"""

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE cases_casesearch_fts USING fts5(
        title, headings, intro, body,
        content='cases_casesearch', content_rowid='case_id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER cases_casesearch_ai AFTER INSERT ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(rowid, title, headings, intro, body)
        VALUES (new.case_id, new.title, new.headings, new.intro, new.body);
    END""",
    """CREATE TRIGGER cases_casesearch_ad AFTER DELETE ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, title, headings, intro, body)
        VALUES ('delete', old.case_id, old.title, old.headings, old.intro, old.body);
    END""",
    """CREATE TRIGGER cases_casesearch_au AFTER UPDATE ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, title, headings, intro, body)
        VALUES ('delete', old.case_id, old.title, old.headings, old.intro, old.body);
        INSERT INTO cases_casesearch_fts(rowid, title, headings, intro, body)
        VALUES (new.case_id, new.title, new.headings, new.intro, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_casesearch_au",
    "DROP TRIGGER IF EXISTS cases_casesearch_ad",
    "DROP TRIGGER IF EXISTS cases_casesearch_ai",
    "DROP TABLE IF EXISTS cases_casesearch_fts",
]
